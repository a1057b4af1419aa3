/**
 * Challenges as the contract says them: the executor's answer is a union discriminated by `component`
 * (authentik/flows/views/executor.py `challenge_types`, the `ChallengeTypes` component), its request a union of
 * challenge responses (`FlowChallengeResponse`). Both are read from the executor's operations, so a version with
 * other components or fields needs no code: a challenge carries the fields its component declares, and a response is
 * read — and refused in DRF's words — by its component's schema.
 */
import { FIELD_MESSAGES } from '../contract/authentik-messages.js';
import type { Contract } from '../contract/contract.js';
import type { DrfErrors } from '../contract/drf-errors.js';
import { successSchema } from '../contract/operation-shapes.js';
import { isPlainObject, propertiesOf, type JsonSchema, type OperationSpec } from '../contract/types.js';

/** One error of a challenge's `response_errors` (authentik's ErrorDetailSerializer: DRF's message and its code). */
export interface ErrorDetail {
  string: string;
  code: string;
}

/** `response_errors`: field → errors (`non_field_errors` for the response as a whole). */
export type ResponseErrors = Record<string, ErrorDetail[]>;

/** A challenge body (what the executor answers with status 200). */
export type Challenge = Record<string, unknown> & { component: string };

/** `component` → its schema, from a discriminated union (ChallengeTypes, FlowChallengeResponse). */
function unionMembers(contract: Contract, schema: JsonSchema | undefined): Map<string, JsonSchema> {
  const members = new Map<string, JsonSchema>();
  const union = schema ? contract.resolve(schema) : undefined;
  const discriminator = union?.['discriminator'];
  if (!isPlainObject(discriminator) || discriminator['propertyName'] !== 'component') return members;
  const mapping = isPlainObject(discriminator['mapping']) ? discriminator['mapping'] : {};
  for (const [component, ref] of Object.entries(mapping))
    if (typeof ref === 'string') members.set(component, contract.resolve({ $ref: ref }));
  return members;
}

/** Whether an operation answers the challenge union (the flow executor's GET and POST). */
export function answersChallenges(contract: Contract, operation: OperationSpec): boolean {
  return unionMembers(contract, successSchema(operation)?.schema).has('xak-flow-redirect');
}

/** The contract's challenges and challenge responses, by component. */
export class ChallengeKit {
  private readonly challenges: Map<string, JsonSchema>;
  private readonly responses: Map<string, JsonSchema>;

  constructor(
    private readonly contract: Contract,
    executor: OperationSpec,
    private readonly solve: OperationSpec | undefined,
  ) {
    this.challenges = unionMembers(contract, successSchema(executor)?.schema);
    this.responses = unionMembers(contract, solve?.requestBody?.content['application/json']?.schema);
  }

  /** Whether this contract has the challenge (another version may lack one). */
  has(component: string): boolean {
    return this.challenges.has(component);
  }

  /**
   * A challenge: `component` and the fields given, each only where the component declares it (a field of another
   * version is left out), absent values left out as DRF leaves unset optional fields out.
   */
  challenge(component: string, fields: Record<string, unknown>): Challenge {
    const declared = propertiesOf(this.challenges.get(component));
    const known = Object.keys(declared).length > 0;
    const body: Challenge = { component };
    for (const [field, value] of Object.entries(fields))
      if (value !== undefined && field !== 'component' && (!known || field in declared)) body[field] = value;
    return body;
  }

  /**
   * A challenge response read as DRF's serializer reads it (its component's schema in the contract): the value, or the
   * errors as `response_errors`. It is checked as the executor's request body, with the stage's own component (DRF
   * does not check the one sent): the contract's request validator, which a page under a strict CSP has precompiled.
   * A component the contract has no response for is taken as sent.
   */
  read(component: string, body: unknown): { value: Record<string, unknown> } | { errors: ResponseErrors } {
    const object = isPlainObject(body) ? { ...body } : {};
    const schema = this.responses.get(component);
    if (!schema || !this.solve) return { value: object };
    const read = this.contract.fields.read(schema, object);
    const value = { ...(isPlainObject(read) ? read : object), component };
    const errors = this.contract.validateRequestBody(this.solve, 'application/json', value);
    return errors ? { errors: responseErrors(errors) } : { value };
  }
}

/** A message as `response_errors` holds it. */
export const errorDetail = (string: string, code = 'invalid'): ErrorDetail => ({ string, code });

/** One field's errors: `{field: [{string, code: "invalid"}]}` (a ValidationError a stage raises). */
export const fieldError = (field: string, message: string, code = 'invalid'): ResponseErrors => ({ [field]: [errorDetail(message, code)] });

/** DRF's error codes for its field messages (rest_framework/fields.py `default_error_messages` keys). */
const CODES: Array<[string | RegExp, string]> = [
  [FIELD_MESSAGES.required, 'required'],
  [FIELD_MESSAGES.null, 'null'],
  [FIELD_MESSAGES.blank, 'blank'],
  [/is not a valid choice\.$/, 'invalid_choice'],
  [/no more than \d+ characters\.$/, 'max_length'],
  [/at least \d+ characters\.$/, 'min_length'],
  [/less than or equal to/, 'max_value'],
  [/greater than or equal to/, 'min_value'],
  [/no more than \d+ elements\.$/, 'max_length'],
  [/at least \d+ elements\.$/, 'min_length'],
  [/^Expected a list of items/, 'not_a_list'],
];

function codeOf(message: string): string {
  for (const [pattern, code] of CODES) if (typeof pattern === 'string' ? pattern === message : pattern.test(message)) return code;
  return 'invalid';
}

/** DRF's 400 body as `response_errors` (authentik's `challenge_invalid`): a nested field's messages under its top field. */
export function responseErrors(errors: DrfErrors): ResponseErrors {
  const out: ResponseErrors = {};
  const collect = (value: DrfErrors[string]): string[] => (Array.isArray(value) ? value : Object.values(value).flatMap(collect));
  for (const [field, value] of Object.entries(errors)) out[field] = collect(value).map((message) => errorDetail(message, codeOf(message)));
  return out;
}
