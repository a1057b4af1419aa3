import { coerceScalar } from '../contract/query-parameters.js';
import { isPlainObject, type JsonSchema, type OperationSpec } from '../contract/types.js';
import { detail, json, type MockResponse } from './http.js';

export const MAX_BODY_BYTES = 1024 * 1024;
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

export type ParsedBody = { value: unknown; mediaType: string | undefined };

function mediaTypeOf(header: string | undefined): string | undefined {
  const type = header?.split(';')[0]?.trim().toLowerCase();
  return type ? type : undefined;
}

function byteLength(body: Uint8Array | string | undefined): number {
  if (body === undefined) return 0;
  return typeof body === 'string' ? new TextEncoder().encode(body).length : body.byteLength;
}

function text(body: Uint8Array | string | undefined): string {
  if (body === undefined) return '';
  return typeof body === 'string' ? body : new TextDecoder().decode(body);
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

/** Form fields arrive as strings; each is read as its documented type, a file as its name. */
async function parseForm(body: Uint8Array | string, contentType: string, schema: JsonSchema | undefined): Promise<Record<string, unknown>> {
  const bytes = typeof body === 'string' ? new TextEncoder().encode(body) : body;
  const form = await new Response(bytes as BodyInit, { headers: { 'content-type': contentType } }).formData();
  const props = isPlainObject(schema?.['properties']) ? (schema!['properties'] as Record<string, JsonSchema>) : {};
  const out: Record<string, unknown> = {};
  for (const [key, entry] of form.entries()) {
    if (FORBIDDEN_KEYS.has(key)) continue;
    if (typeof entry !== 'string') {
      out[key] = entry.name || 'upload';
      continue;
    }
    const coerced = props[key] && props[key]!['format'] !== 'binary' ? coerceScalar(entry, props[key]!) : entry;
    out[key] = typeof coerced === 'object' ? entry : coerced;
  }
  return out;
}

/**
 * The request body as DRF's parsers would see it, or the response they would give: 413 when too large, 415 for a
 * media type the operation does not document, 400 for unparseable JSON or form data.
 */
export async function parseRequestBody(
  operation: OperationSpec,
  headers: Record<string, string | undefined>,
  body: Uint8Array | string | undefined,
  resolve: (schema: JsonSchema) => JsonSchema,
): Promise<ParsedBody | MockResponse> {
  if (byteLength(body) > MAX_BODY_BYTES) return detail(413, `Request body exceeded ${MAX_BODY_BYTES} bytes.`);
  const documented = operation.requestBody?.content ?? {};
  const header = headers['content-type'];
  const mediaType = mediaTypeOf(header);
  const empty = byteLength(body) === 0;
  // An operation that documents no body ignores whatever was sent, as its DRF view never reads it.
  if (Object.keys(documented).length === 0) return { value: {}, mediaType };
  if (empty && !mediaType) return { value: {}, mediaType: Object.keys(documented)[0] };
  if (!mediaType || !(mediaType in documented)) return detail(415, `Unsupported media type "${header ?? ''}" in request.`);
  if (/^multipart\/form-data$|^application\/x-www-form-urlencoded$/.test(mediaType)) {
    try {
      const schema = resolve(documented[mediaType]!.schema);
      return { value: empty ? {} : await parseForm(body!, header!, schema), mediaType };
    } catch (error) {
      return detail(400, `Multipart form parse error - ${(error as Error).message}`);
    }
  }
  if (empty) return { value: {}, mediaType };
  try {
    return { value: withoutDangerousKeys(JSON.parse(text(body))), mediaType };
  } catch (error) {
    return json(400, { detail: `JSON parse error - ${(error as Error).message}` });
  }
}
