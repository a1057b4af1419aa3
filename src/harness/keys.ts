import type { Contract } from '../contract/contract.js';
import type { OperationSpec } from '../contract/types.js';
import { listShape, successSchema } from '../world/resources.js';
import type { HttpClient } from './http-client.js';

/** `--ids` file: a value per path parameter name, or per `operationId.param` for one operation. */
export type KnownIds = Record<string, string | number>;

export type KeyLookup = { params: Record<string, string> } | { reason: string };

/**
 * Keys for an operation's path parameters, found the way a client would find them: the first record of the list
 * operation of the same collection (`/x/` for `/x/{key}/…`), or `--ids`. Lists are read once per collection.
 */
export class KeyFinder {
  private readonly listed = new Map<string, Array<Record<string, unknown>>>();
  private controlKeys: Promise<Map<string, unknown[]>> | undefined;

  constructor(
    private readonly contract: Contract,
    private readonly client: HttpClient,
    private readonly ids: KnownIds = {},
  ) {}

  /** `which`: the first record, or the last (writes keep away from the first, often the admin's own objects). */
  async keysFor(operation: OperationSpec, which: 'first' | 'last' = 'first'): Promise<KeyLookup> {
    const params: Record<string, string> = {};
    const names = [...operation.path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]!);
    for (const name of names) {
      const given = this.ids[`${operation.operationId}.${name}`] ?? this.ids[name];
      if (given !== undefined) {
        params[name] = String(given);
        continue;
      }
      const collection = operation.path.slice(0, operation.path.indexOf(`{${name}}`));
      const records = (await this.records(operation.server, collection)) ?? (await this.mockKeys(collection, name));
      if (!records) return { reason: `no key for {${name}}: ${collection} has no list operation to find one (give it with --ids)` };
      const record = which === 'first' ? records[0] : records[records.length - 1];
      if (!record) return { reason: `no key for {${name}}: the list at ${collection} has ${records.length > 0 ? 'too few records' : 'no records'}` };
      const value = record[name] ?? record['pk'];
      if (value === undefined || value === null) return { reason: `no key for {${name}}: records of ${collection} have neither "${name}" nor "pk"` };
      params[name] = String(value);
    }
    return { params };
  }

  /** Forgets what was listed: after writes, keys may have changed. */
  forget(): void {
    this.listed.clear();
    this.controlKeys = undefined;
  }

  /**
   * When the server is authentik-mock, its control API lists the keys of resources that have no list operation.
   * A real authentik answers 404 there, and the operation is skipped with its reason.
   */
  private async mockKeys(collection: string, param: string): Promise<Array<Record<string, unknown>> | undefined> {
    this.controlKeys ??= this.client
      .send({ method: 'GET', path: '/_mock/resources' })
      .then((answer) => new Map(Array.isArray(answer.body) && answer.status === 200 ? (answer.body as Array<{ path: string; keys: unknown[] }>).map((r) => [r.path, r.keys]) : []));
    const keys = (await this.controlKeys).get(collection);
    return keys?.map((key) => ({ [param]: key }));
  }

  private listOperation(collection: string): OperationSpec | undefined {
    return this.contract.operations.find((o) => o.method === 'GET' && o.path === collection && listShape(this.contract, successSchema(o)?.schema));
  }

  private async records(server: string, collection: string): Promise<Array<Record<string, unknown>> | undefined> {
    const cached = this.listed.get(collection);
    if (cached) return cached;
    const list = this.listOperation(collection);
    if (!list) return undefined;
    const answer = await this.client.send({ method: 'GET', path: this.client.url(server, `${collection}?page_size=20`) });
    const records = recordsOf(answer.body);
    this.listed.set(collection, records);
    return records;
  }
}

/** The records of a list answer, paginated (`results`) or a plain array; none for anything else. */
export function recordsOf(body: unknown): Array<Record<string, unknown>> {
  const results = Array.isArray(body) ? body : (body as { results?: unknown } | undefined)?.results;
  return (Array.isArray(results) ? results : []) as Array<Record<string, unknown>>;
}

/** The path with its parameters filled; `fallback` stands in for unknown ones (auth is checked before any lookup). */
export function fillPath(path: string, params: Record<string, string>, fallback = ''): string {
  return path.replace(/\{([^}]+)\}/g, (_m, name: string) => encodeURIComponent(params[name] ?? fallback));
}
