/**
 * The components every authentik list and error refers to, as authentik 2024.8's document writes them
 * (schemas/components/{Pagination,ValidationError,GenericError}.json): one copy for every contract a test writes.
 */

export const Pagination = {
  type: 'object',
  properties: Object.fromEntries(
    ['next', 'previous', 'count', 'current', 'total_pages', 'start_index', 'end_index'].map((k) => [k, { type: 'number' }]),
  ),
  required: ['next', 'previous', 'count', 'current', 'total_pages', 'start_index', 'end_index'],
  title: 'Pagination',
};

export const ValidationError = {
  type: 'object',
  description: 'Validation Error',
  properties: { non_field_errors: { type: 'array', items: { type: 'string' } }, code: { type: 'string' } },
  additionalProperties: {},
  title: 'ValidationError',
};

export const GenericError = {
  type: 'object',
  description: 'Generic API Error',
  properties: { detail: { type: 'string' }, code: { type: 'string' } },
  required: ['detail'],
  title: 'GenericError',
};

/** The three by name, for a document's `components.schemas`. */
export const COMMON_COMPONENTS = { Pagination, ValidationError, GenericError };
