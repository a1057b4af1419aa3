/**
 * Every word the mock answers with, as authentik (Django REST framework, django-filter, Django) words it:
 * 403 authentication and permission details, 404 not found, 405 method not allowed, 413 too large, 415 unsupported
 * media type, parse errors, invalid page, and the 400 field messages of serializers, relations and filters.
 * The reference is shared/authentik-api-facts.md; DRF's own texts are in rest_framework/{exceptions,fields,relations}.py.
 */

/** `{"detail": …}` texts of the HTTP errors. */
export const DETAILS = {
  // 403: authentik never sends a WWW-Authenticate challenge, so DRF answers every auth failure 403, never 401.
  notProvided: 'Authentication credentials were not provided.',
  unsupportedAuth: 'Unsupported authentication type',
  malformed: 'Malformed header',
  invalidToken: 'Token invalid/expired',
  forbidden: 'You do not have permission to perform this action.',
  // 404
  notFound: 'Not found.',
  invalidPage: 'Invalid page.',
  noMatch: (modelName: string) => `No ${modelName} matches the given query.`,
  // 405
  methodNotAllowed: (method: string) => `Method "${method}" not allowed.`,
  // 413 (authentik's reverse proxy and Django refuse large bodies; the mock's bound is its own)
  tooLarge: (limit: number) => `Request body exceeded ${limit} bytes.`,
  // 415
  unsupportedMediaType: (header: string) => `Unsupported media type "${header}" in request.`,
  // 400 from the parsers
  jsonParseError: (reason: string) => `JSON parse error - ${reason}`,
  formParseError: (reason: string) => `Multipart form parse error - ${reason}`,
  // The mock's own: the client stopped sending the body it announced.
  bodyNotReceived: 'The request body was not received whole.',
  // 500: Django's handler500 for an API request
  serverError: 'A server error occurred.',
} as const;

/** The `detail` DRF's and Django's exceptions carry by default, by status: what a forced status answers. */
export const STATUS_DETAILS: Readonly<Record<number, string>> = {
  400: 'Forced by the mock.',
  401: DETAILS.notProvided,
  403: DETAILS.forbidden,
  404: DETAILS.notFound,
  405: 'Method not allowed.',
  406: 'Could not satisfy the request Accept header.',
  409: 'Conflict.',
  415: 'Unsupported media type in request.',
  429: 'Request was throttled.',
  500: DETAILS.serverError,
  502: 'Bad Gateway.',
  503: 'Service Unavailable.',
  504: 'Gateway Timeout.',
};

/** DRF serializer field messages (400 bodies: field → messages). */
export const FIELD_MESSAGES = {
  required: 'This field is required.',
  null: 'This field may not be null.',
  blank: 'This field may not be blank.',
  integer: 'A valid integer is required.',
  number: 'A valid number is required.',
  boolean: 'Must be a valid boolean.',
  string: 'Not a valid string.',
  uuid: 'Must be a valid UUID.',
  email: 'Enter a valid email address.',
  url: 'Enter a valid URL.',
  dateTime: 'Datetime has wrong format. Use one of these formats instead: YYYY-MM-DDThh:mm[:ss[.uuuuuu]][+HH:MM|-HH:MM|Z].',
  date: 'Date has wrong format. Use one of these formats instead: YYYY-MM-DD.',
  slug: 'Enter a valid "slug" consisting of letters, numbers, underscores or hyphens.',
  pattern: 'This value does not match the required pattern.',
  invalid: 'Invalid value.',
  choice: (value: unknown) => `"${String(value)}" is not a valid choice.`,
  maxLength: (n: number) => `Ensure this field has no more than ${n} characters.`,
  minLength: (n: number) => `Ensure this field has at least ${n} characters.`,
  maximum: (n: number) => `Ensure this value is less than or equal to ${n}.`,
  minimum: (n: number) => `Ensure this value is greater than or equal to ${n}.`,
  maxItems: (n: number) => `Ensure this field has no more than ${n} elements.`,
  minItems: (n: number) => `Ensure this field has at least ${n} elements.`,
  notAList: (type: string) => `Expected a list of items but got type "${type}".`,
  notADict: (type: string) => `Invalid data. Expected a dictionary, but got ${type}.`,
  // Model validators
  unique: (verboseName: string, field: string) => `${verboseName} with this ${field} already exists.`,
  uniqueTogether: (fields: readonly string[]) => `The fields ${fields.join(', ')} must make a unique set.`,
  // PrimaryKeyRelatedField
  relationType: (pythonType: string) => `Incorrect type. Expected pk value, received ${pythonType}.`,
  relationUuid: (value: string) => `“${value}” is not a valid UUID.`,
  relationMissing: (value: string) => `Invalid pk "${value}" - object does not exist.`,
} as const;

/** django-filter's messages for a bad query parameter (400, keyed by the parameter). */
export const FILTER_MESSAGES = {
  invalidRelation: 'Select a valid choice. That choice is not one of the available choices.',
  invalidChoice: (value: string) => `Select a valid choice. ${value} is not one of the available choices.`,
  number: 'Enter a number.',
  uuid: 'Enter a valid UUID.',
  dateTime: 'Enter a valid date/time.',
} as const;

/** Python's name for a JSON value's type, as DRF puts it in messages. */
export function pythonTypeName(value: unknown): string {
  if (value === null) return 'NoneType';
  if (Array.isArray(value)) return 'list';
  if (typeof value === 'boolean') return 'bool';
  if (typeof value === 'number') return Number.isInteger(value) ? 'int' : 'float';
  if (typeof value === 'string') return 'str';
  return 'dict';
}
