import type { MockCore } from './mock-server.js';

/**
 * Bodies of an operation as the world shows them, for operations whose answer is records: a list is one coherent
 * page (`count` records, its pagination adding up, embeds agreeing with ids), a retrieve the first `count` records.
 * undefined for other operations, which have no records to show (their bodies are generated from the schema).
 */
export async function worldFixtures(mock: MockCore, operationId: string, count: number): Promise<unknown[] | undefined> {
  const role = mock.world.roles.get(operationId);
  const operation = mock.contract.operation(operationId);
  if (!role || !operation || (role.kind !== 'list' && role.kind !== 'retrieve')) return undefined;
  const { resource } = role;
  const base = operation.server.replace(/\/$/, '');
  const get = async (path: string) => {
    const response = await mock.fetch(`${base}${path}`, { headers: { authorization: `Bearer ${mock.world.adminToken}` } });
    return response.status === 200 ? ((await response.json()) as unknown) : undefined;
  };
  if (role.kind === 'list') {
    if (/\{/.test(operation.path)) return undefined;
    const page = await get(`${operation.path}?page_size=${count}`);
    return page === undefined ? undefined : [page];
  }
  const keys = mock.world
    .table(resource.entity)
    .all()
    .slice(0, count)
    .map((record) => record[resource.lookupField]);
  const records = await Promise.all(
    keys.map((key) => get(operation.path.replace(`{${resource.lookupParam ?? ''}}`, encodeURIComponent(String(key))))),
  );
  return records.every((r) => r !== undefined) ? records : undefined;
}
