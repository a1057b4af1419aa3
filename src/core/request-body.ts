import { DrfFieldReader, formBody } from '../contract/drf-fields.js';
import { isPlainObject, type JsonSchema, type OperationSpec } from '../contract/types.js';
import { DETAILS } from '../contract/authentik-messages.js';
import { httpError, unsupportedMediaType, type IncomingRequest } from './http.js';

/** Bodies past this many bytes are refused (413) as soon as the count passes it: never buffered whole. */
export const MAX_BODY_BYTES = 1024 * 1024;
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

export type ParsedBody = { value: unknown; mediaType: string | undefined };

function mediaTypeOf(header: string | undefined): string | undefined {
  const type = header?.split(';')[0]?.trim().toLowerCase();
  return type ? type : undefined;
}

const tooLarge = (limit: number) => httpError(413, DETAILS.tooLarge(limit));

/**
 * The request's body bytes, read only when an operation needs them (so a request refused before, for its token or
 * its path, is never read) and never past `limit`: a declared or streamed size over it is a 413 at once.
 */
export async function readBody(request: IncomingRequest, limit = MAX_BODY_BYTES): Promise<Uint8Array> {
  if (Number(request.headers.get('content-length')) > limit) throw tooLarge(limit);
  if (request.readBytes) {
    const bytes = await request.readBytes(limit).catch(() => {
      throw httpError(400, DETAILS.bodyNotReceived);
    });
    if (!bytes) throw tooLarge(limit);
    return bytes;
  }
  if (!request.body) return new Uint8Array(0);
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  const next = () =>
    reader.read().catch(() => {
      throw httpError(400, DETAILS.bodyNotReceived);
    });
  for (let chunk = await next(); !chunk.done; chunk = await next()) {
    size += chunk.value.byteLength;
    if (size > limit) {
      void reader.cancel().catch(() => undefined);
      throw tooLarge(limit);
    }
    chunks.push(chunk.value);
  }
  if (chunks.length === 1) return chunks[0]!;
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) bytes.set(chunk, (offset += chunk.byteLength) - chunk.byteLength);
  return bytes;
}

/** JSON text as DRF's JSONParser reads it (a 400 when it cannot), with keys that could reach a prototype dropped. */
export function parseJson(bytes: Uint8Array): unknown {
  try {
    return withoutDangerousKeys(JSON.parse(new TextDecoder().decode(bytes)));
  } catch (error) {
    throw httpError(400, DETAILS.jsonParseError((error as Error).message));
  }
}

/** Deeper bodies are refused: stored, they could not be serialised again on the next GET. */
export const MAX_NESTING = 256;

/** Keys that could reach a prototype are dropped at every level (DRF ignores unknown fields anyway). */
export function withoutDangerousKeys(value: unknown, depth = 0): unknown {
  if (depth > MAX_NESTING) throw new Error(`nested deeper than ${MAX_NESTING} levels`);
  if (Array.isArray(value)) return value.map((item) => withoutDangerousKeys(item, depth + 1));
  if (!isPlainObject(value)) return value;
  const out: Record<string, unknown> = {};
  for (const [key, child] of Object.entries(value)) if (!FORBIDDEN_KEYS.has(key)) out[key] = withoutDangerousKeys(child, depth + 1);
  return out;
}

/**
 * A form as Django's QueryDict holds it (every value of a name, a file as its name), then what each documented
 * field takes from it as DRF reads HTML input (`formBody`: `""`, repeated names, missing booleans…). The values
 * stay text: the contract reads them as it reads JSON (`"true"`, `"on"` for a boolean; `"5"` for an integer).
 */
async function parseForm(bytes: Uint8Array, contentType: string, schema: JsonSchema, reader: DrfFieldReader, partial: boolean) {
  const fields = new Map<string, string[]>();
  const form =
    bytes.byteLength === 0
      ? []
      : (await new Response(bytes as BodyInit, { headers: { 'content-type': contentType } }).formData()).entries();
  for (const [key, entry] of form) {
    if (FORBIDDEN_KEYS.has(key)) continue;
    const values = fields.get(key) ?? [];
    values.push(typeof entry === 'string' ? entry : entry.name || 'upload');
    fields.set(key, values);
  }
  return formBody(reader, schema, fields, partial);
}

/**
 * The request body as DRF's parsers would see it, or the error they would give: 415 for a media type the operation
 * does not document, 400 for unparseable JSON or form data.
 */
export async function parseRequestBody(
  operation: OperationSpec,
  header: string | undefined,
  bytes: Uint8Array,
  resolve: (schema: JsonSchema) => JsonSchema,
): Promise<ParsedBody> {
  const documented = operation.requestBody?.content ?? {};
  const mediaType = mediaTypeOf(header);
  const empty = bytes.byteLength === 0;
  // An operation that documents no body ignores whatever was sent, as its DRF view never reads it.
  if (Object.keys(documented).length === 0) return { value: {}, mediaType };
  if (empty && !mediaType) return { value: {}, mediaType: Object.keys(documented)[0] };
  if (!mediaType || !Object.hasOwn(documented, mediaType)) throw unsupportedMediaType(header);
  if (/^multipart\/form-data$|^application\/x-www-form-urlencoded$/.test(mediaType)) {
    try {
      const reader = new DrfFieldReader(resolve);
      const value = await parseForm(bytes, header!, documented[mediaType]!.schema, reader, operation.method === 'PATCH');
      return { value, mediaType };
    } catch (error) {
      throw httpError(400, DETAILS.formParseError((error as Error).message));
    }
  }
  return { value: empty ? {} : parseJson(bytes), mediaType };
}
