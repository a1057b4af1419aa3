import { inflateSync } from 'node:zlib';
import { isPlainObject, type OperationSpec } from '../contract/types.js';
import { normalizeOperation } from './normalize-operation.js';

/**
 * The encoded front-matter key, whatever the wrapping: raw page, source-viewer copy with header lines,
 * or a viewer copy with `|` lines in between (the key then still sits on one line of its own).
 */
const API_KEY_LINE = /^[ \t]*api:[ \t]*(\S+)[ \t]*$/m;

export function findEncodedKey(text: string): string | undefined {
  return API_KEY_LINE.exec(text)?.[1];
}

/** `api:` is base64 of the zlib-deflated JSON of the operation, every $ref inlined. */
export function decodeApiKey(encoded: string): Record<string, unknown> {
  if (!/^[A-Za-z0-9+/_-]+=*$/.test(encoded)) throw new Error('the api key is not base64');
  let json: string;
  try {
    json = inflateSync(Buffer.from(encoded, 'base64')).toString('utf8');
  } catch (error) {
    throw new Error(`the api key does not inflate (${(error as Error).message})`);
  }
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch (error) {
    throw new Error(`the api key holds no JSON (${(error as Error).message})`);
  }
  if (!isPlainObject(value)) throw new Error('the api key holds no operation object');
  return value;
}

/** A page whose `api:` key decodes: the operation exactly as the docs generator saw it. */
export function operationFromDecodedPage(encoded: string, source: string): OperationSpec {
  const raw = decodeApiKey(encoded);
  const method = raw['method'];
  const path = raw['path'];
  if (typeof method !== 'string' || typeof path !== 'string') throw new Error('the decoded operation has no method or path');
  const servers = raw['servers'];
  const firstServer = Array.isArray(servers) && isPlainObject(servers[0]) ? servers[0]['url'] : undefined;
  return normalizeOperation(raw, {
    method,
    path,
    server: typeof firstServer === 'string' ? firstServer : '/api/v3/',
    defaultSecurity: [],
    origin: 'decoded',
    source,
  });
}
