/** Where in a blueprint a problem is: the file, and the entry when there is one. */
export interface BlueprintErrorPlace {
  /** The blueprint's path, as given to `parseBlueprint`. */
  file: string;
  /** The entry's position in `entries` (0-based, as in `entries[3]`). */
  entryIndex?: number;
  entryId?: string;
  model?: string;
}

/** DRF-style field messages (field → messages, nested for nested values), as a target's validation reports them. */
export type FieldErrors = { [field: string]: string[] | string | FieldErrors };

/**
 * A blueprint that cannot be parsed or applied. The message names the file, the entry (its index, `id` and model)
 * and the reason, e.g. `team.yaml: entries[2] (id "flow", authentik_flows.flow): slug: This field is required.`
 */
export class BlueprintError extends Error {
  readonly file: string;
  readonly entryIndex: number | undefined;
  readonly entryId: string | undefined;
  readonly model: string | undefined;

  constructor(
    place: BlueprintErrorPlace,
    readonly reason: string,
    /** The target's field messages, when the entry's values were refused. */
    readonly fieldErrors?: FieldErrors,
  ) {
    super(`${describePlace(place)}: ${reason}`);
    this.name = 'BlueprintError';
    this.file = place.file;
    this.entryIndex = place.entryIndex;
    this.entryId = place.entryId;
    this.model = place.model;
  }
}

function describePlace({ file, entryIndex, entryId, model }: BlueprintErrorPlace): string {
  if (entryIndex === undefined) return file;
  const about = [entryId === undefined ? undefined : `id "${entryId}"`, model].filter(Boolean).join(', ');
  return `${file}: entries[${entryIndex}]${about ? ` (${about})` : ''}`;
}

/**
 * What a target throws when an entry's values are invalid: DRF-style field messages, as authentik's serializer
 * would give them (`{ slug: ['This field is required.'] }`). Any error with a `fieldErrors` object is read the same way.
 */
export class BlueprintValidationError extends Error {
  constructor(readonly fieldErrors: FieldErrors) {
    super(formatFieldErrors(fieldErrors));
    this.name = 'BlueprintValidationError';
  }
}

/** `slug: This field is required.; attributes.foo: …` — field messages on one line. */
export function formatFieldErrors(errors: FieldErrors, prefix = ''): string {
  return Object.entries(errors)
    .map(([field, messages]) => {
      const path = prefix ? `${prefix}.${field}` : field;
      if (typeof messages === 'string') return `${path}: ${messages}`;
      if (Array.isArray(messages)) return `${path}: ${messages.join(' ')}`;
      return formatFieldErrors(messages, path);
    })
    .join('; ');
}

/** The field messages an error carries, if it is a validation error of a target. */
export function fieldErrorsOf(error: unknown): FieldErrors | undefined {
  if (typeof error !== 'object' || error === null || !('fieldErrors' in error)) return undefined;
  const { fieldErrors } = error as { fieldErrors: unknown };
  return typeof fieldErrors === 'object' && fieldErrors !== null && !Array.isArray(fieldErrors) ? (fieldErrors as FieldErrors) : undefined;
}
