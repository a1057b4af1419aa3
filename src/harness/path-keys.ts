import type { Contract } from '../contract/contract.js';
import { componentName, propertiesOf, UUID_PATTERN, type JsonSchema, type OperationSpec } from '../contract/types.js';
import { squash } from '../contract/naming.js';
import { listShape, successSchema } from '../contract/operation-shapes.js';
import type { HttpClient } from './http-client.js';
import { listOperationAt, requiredQuery, successFields } from './request-builder.js';

/** `--ids` file: a value per path parameter name, or per `operationId.param` for one operation. */
export type KnownIds = Record<string, string | number>;

/** Where a path key came from: the list (and the field of its records) it was read from, when it was read from one. */
export interface FoundKey {
  value: string;
  list?: OperationSpec;
  field?: string;
}

/** Why no key was found; `emptyList` when the collection's own list has no records (a created one would do). */
export type KeyMiss = { reason: string; emptyList?: OperationSpec };

export type KeyLookup = { params: Record<string, string>; found: Record<string, FoundKey> } | KeyMiss;

type Records = Array<Record<string, unknown>>;

/** A list to look a path parameter's key up in, and the field of its records that holds the key, when known. */
interface KeySource {
  list: OperationSpec;
  field?: string;
}

const LIST_PAGE_SIZE = 20;

/**
 * Keys for an operation's path parameters, found the way a client would find them: a record of the list operation
 * of the same collection (`/x/` for `/x/{key}/…`), else of another resource's list that shows the key (a
 * `{flow_slug}` is the `slug` of a record of a flows list), or `--ids`. Lists are read once per collection.
 *
 * Writes take the last record (away from the first, often the admin's own objects) and never a record that is the
 * credential the run authenticates with: one holding the token as a field, or whose key an item action such as
 * `…/{identifier}/view_key/` reveals to be the token.
 */
export class PathKeyFinder {
  private readonly listed = new Map<string, Promise<Records>>();
  /** What the contract says about where a key is found: worked out once per collection and parameter. */
  private readonly sources = new Map<string, KeySource[]>();
  private readonly credentialChecks = new Map<string, Promise<boolean>>();
  private controlKeys: Promise<Map<string, unknown[]>> | undefined;

  constructor(
    private readonly contract: Contract,
    private readonly client: HttpClient,
    private readonly ids: KnownIds = {},
  ) {}

  /** `which`: the first record, or the last that is not the credential in use (for writes). */
  async keysFor(operation: OperationSpec, which: 'first' | 'last' = 'first'): Promise<KeyLookup> {
    const params: Record<string, string> = {};
    const found: Record<string, FoundKey> = {};
    const names = [...operation.path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]!);
    const schemaOf = (name: string) => operation.parameters.find((p) => p.in === 'path' && p.name === name)?.schema ?? {};
    for (const name of names) {
      const collection = operation.path.slice(0, operation.path.indexOf(`{${name}}`));
      const given = this.ids[`${operation.operationId}.${name}`] ?? this.ids[name];
      if (given !== undefined) {
        if (which === 'last' && (await this.isCredentialInUse(operation.server, collection, name, undefined, String(given)))) {
          return { reason: `the key given for {${name}} is the token this run authenticates with: writing to it could lock the run out` };
        }
        params[name] = String(given);
        found[name] = { value: String(given) };
        continue;
      }
      const key = await this.findKey(operation, collection, name, schemaOf(name), which);
      if ('reason' in key) return key;
      params[name] = key.value;
      found[name] = key;
    }
    return { params, found };
  }

  /** The lists `keysFor` may read to find the operation's keys (none for keys given with `--ids`). */
  sourceLists(operation: OperationSpec): OperationSpec[] {
    return [...operation.path.matchAll(/\{([^}]+)\}/g)].flatMap(([, name]) => {
      if (this.ids[`${operation.operationId}.${name!}`] !== undefined || this.ids[name!] !== undefined) return [];
      return this.sourcesFor(operation.path.slice(0, operation.path.indexOf(`{${name!}}`)), name!).map((source) => source.list);
    });
  }

  private async findKey(
    operation: OperationSpec,
    collection: string,
    name: string,
    schema: JsonSchema,
    which: 'first' | 'last',
  ): Promise<FoundKey | KeyMiss> {
    const sources = this.sourcesFor(collection, name);
    let why: string | undefined;
    let emptyList: OperationSpec | undefined;
    for (const source of sources) {
      const records = await this.records(operation.server, source.list);
      const candidates = which === 'first' ? records : [...records].reverse();
      let keyless = 0;
      if (records.length === 0 && source === sources[0] && !source.field) emptyList = source.list;
      for (const record of candidates) {
        const field = keyField(record, name, schema, source.field);
        if (!field) {
          keyless++;
          continue;
        }
        const value = String(record[field]);
        if (which === 'last' && (await this.isCredentialInUse(operation.server, collection, name, record, value))) continue;
        return { value, list: source.list, field };
      }
      why ??=
        records.length === 0
          ? `the list at ${source.list.path} has no records`
          : keyless === records.length
            ? `records of ${source.list.path} have no field holding a key of its type${typeOf(schema)} (neither "${source.field ?? name}", "pk" nor another key field)`
            : `every record of ${source.list.path} is the credential this run authenticates with`;
    }
    const mock = await this.mockKeys(collection);
    const value = mock?.[which === 'first' ? 0 : mock.length - 1];
    if (value !== undefined && value !== null) return { value: String(value) };
    const reason = `no key for {${name}}: ${why ?? `${collection} has no list operation to find one, and no other list shows a "${name}"`} (give it with --ids)`;
    return emptyList ? { reason, emptyList } : { reason };
  }

  /**
   * Lists that can give a key for `{name}` under `collection`: the collection's own list, then lists of other
   * resources whose records show the key's field. A parameter `<entity>_<field>` (`flow_slug`, `policy_binding_uuid`)
   * is looked for as `<field>` in lists of `<entity>` records: the items' component is named after the entity
   * (`Flow`), or the list's path has a segment naming it (`/flows/instances/`).
   */
  private sourcesFor(collection: string, name: string): KeySource[] {
    const key = `${collection}{${name}}`;
    let sources = this.sources.get(key);
    if (!sources) this.sources.set(key, (sources = this.findSources(collection, name)));
    return sources;
  }

  private findSources(collection: string, name: string): KeySource[] {
    const own = listOperationAt(this.contract, collection);
    const sources: KeySource[] = own ? [{ list: own }] : [];
    const parts = name.split('_');
    for (let i = parts.length - 1; i >= 1; i--) {
      const entity = squash(parts.slice(0, i).join('_'));
      const field = parts.slice(i).join('_');
      const ranked: Array<{ list: OperationSpec; rank: number }> = [];
      for (const list of this.contract.operations) {
        if (list === own || list.method !== 'GET' || list.path.includes('{')) continue;
        const items = listShape(this.contract, successSchema(list)?.schema)?.items;
        if (!items || !(field in propertiesOf(this.contract.resolve(items)))) continue;
        const titled = squash(componentName(items) ?? String(this.contract.resolve(items)['title'] ?? '')) === entity;
        const segments = list.path.split('/').filter(Boolean).map(squash);
        const named = segments.some((s) => s === entity || s === `${entity}s` || s === `${entity}es`);
        if (titled || named) ranked.push({ list, rank: (titled ? 0 : 1) * 1000 + list.path.length });
      }
      sources.push(...ranked.sort((a, b) => a.rank - b.rank).map(({ list }) => ({ list, field })));
    }
    return sources;
  }

  /**
   * Whether the record is the token the run authenticates with: it holds the key as a field, or an item action
   * under the collection that answers a `key` (authentik's `view_key`) answers this key.
   */
  private isCredentialInUse(
    server: string,
    collection: string,
    param: string,
    record: Record<string, unknown> | undefined,
    value: string,
  ): Promise<boolean> {
    if (record && Object.values(record).some((v) => v === this.client.token)) return Promise.resolve(true);
    const reveal = this.contract.operations.find(
      (o) =>
        o.method === 'GET' &&
        o.path.startsWith(`${collection}{${param}}/`) &&
        o.path.length > `${collection}{${param}}/`.length &&
        'key' in successFields(this.contract, o),
    );
    if (!reveal) return Promise.resolve(false);
    const cacheKey = `${reveal.path}|${value}`;
    let check = this.credentialChecks.get(cacheKey);
    if (!check) {
      check = this.client
        .send({ method: 'GET', path: this.client.url(reveal.server, fillPath(reveal.path, { [param]: value })) })
        .then((answer) => answer.status === 200 && (answer.body as { key?: unknown } | undefined)?.key === this.client.token);
      this.credentialChecks.set(cacheKey, check);
    }
    return check;
  }

  /** The record a key was found in, read again from its list (fresh, not cached): undefined when it is gone. */
  async reread(server: string, key: FoundKey): Promise<Record<string, unknown> | undefined> {
    if (!key.list || !key.field) return undefined;
    const records = await this.fetchRecords(server, key.list);
    return records.find((r) => r[key.field!] !== null && r[key.field!] !== undefined && String(r[key.field!]) === key.value);
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
  private async mockKeys(collection: string): Promise<unknown[] | undefined> {
    this.controlKeys ??= this.client
      .send({ method: 'GET', path: '/_mock/resources' })
      .then(
        (answer) =>
          new Map(
            Array.isArray(answer.body) && answer.status === 200
              ? (answer.body as Array<{ path: string; keys: unknown[] }>).map((r) => [r.path, r.keys])
              : [],
          ),
      );
    return (await this.controlKeys).get(collection);
  }

  /** Read once, however many checks running at once ask for it. */
  private records(server: string, list: OperationSpec): Promise<Records> {
    let records = this.listed.get(list.path);
    if (!records) {
      records = this.fetchRecords(server, list);
      this.listed.set(list.path, records);
    }
    return records;
  }

  private async fetchRecords(server: string, list: OperationSpec): Promise<Records> {
    const query = new URLSearchParams({ ...requiredQuery(this.contract, list), page_size: String(LIST_PAGE_SIZE) });
    const answer = await this.client.send({
      method: 'GET',
      path: this.client.url(list.server || server, `${list.path}?${query.toString()}`),
    });
    return answer.status === 200 ? recordsOf(answer.body) : [];
  }
}

const KEY_FIELDS = ['pk', 'id', 'uuid'];

/**
 * The field of a record that holds the key for `{name}`: the source's field, the parameter's own name, `pk`, the
 * part after an entity prefix (`slug` for `flow_slug`), `id`/`uuid`, then any `…_pk`/`…_id`/`…_uuid` field (a
 * `role_pk` for `{uuid}`); the first whose value has the parameter's type.
 */
export function keyField(record: Record<string, unknown>, name: string, schema: JsonSchema, preferred?: string): string | undefined {
  const parts = name.split('_');
  const suffixes = parts.slice(1).map((_, i) => parts.slice(i + 1).join('_'));
  const pkLike = Object.keys(record).filter((k) => /(^|_)(pk|id|uuid)$/.test(k));
  const candidates = preferred ? [preferred] : [name, 'pk', ...suffixes, ...KEY_FIELDS, ...pkLike];
  return candidates.find((field) => fitsPathParam(schema, record[field]));
}

function fitsPathParam(schema: JsonSchema, value: unknown): boolean {
  if (value === null || value === undefined || typeof value === 'object' || typeof value === 'boolean' || value === '') return false;
  if (schema.type === 'integer' || schema.type === 'number') return /^-?\d+$/.test(String(value));
  if (schema.format === 'uuid') return UUID_PATTERN.test(String(value));
  return true;
}

function typeOf(schema: JsonSchema): string {
  const type = [schema.type, schema.format].filter((t) => typeof t === 'string').join(' ');
  return type ? ` (${type})` : '';
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
