// The official client (@goauthentik/api 2024.8) against the mock, with no schemas argument: over MSW in process,
// and over HTTP on 127.0.0.1 (a free port).
import { Configuration, CoreApi, Oauth2Api, ResponseError } from '@goauthentik/api';
import { setupServer } from 'msw/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHandlers } from '../src/adapters/msw-node.js';
import { startMock, type RunningMock } from '../src/adapters/vitest.js';

const TOKEN = 'official-client-token';

async function failure(call: Promise<unknown>): Promise<{ status: number; body: unknown }> {
  const error = await call.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof ResponseError)) throw new Error(`expected a ResponseError, got ${String(error)}`);
  return { status: error.response.status, body: await error.response.json() };
}

function clientSuite(name: string, setup: () => Promise<{ basePath: string; close: () => Promise<void> }>) {
  describe(`@goauthentik/api over ${name}`, () => {
    let basePath = '';
    let close = async () => {};
    beforeAll(async () => void ({ basePath, close } = await setup()));
    afterAll(() => close());
    const config = (accessToken = TOKEN) => new Configuration({ basePath, accessToken });

    it('lists users with authentik pagination, as the client parses it', async () => {
      const users = await new CoreApi(config()).coreUsersList({ pageSize: 5 });
      expect(users.results).toHaveLength(5);
      expect(users.pagination.count).toBeGreaterThan(5);
      expect(users.pagination.next).toBe(2);
      expect(typeof users.results[0]!.username).toBe('string');
      const page2 = await new CoreApi(config()).coreUsersList({ pageSize: 5, page: 2 });
      expect(page2.pagination.current).toBe(2);
      expect(page2.results.map((u) => u.pk)).not.toEqual(users.results.map((u) => u.pk));
    });

    it('changes stick: a patched group reads back changed', async () => {
      const core = new CoreApi(config());
      const group = (await core.coreGroupsList({ pageSize: 1 })).results[0]!;
      const patched = await core.coreGroupsPartialUpdate({ groupUuid: group.pk, patchedGroupRequest: { name: `${group.name} (patched)` } });
      expect(patched.name).toBe(`${group.name} (patched)`);
      expect((await core.coreGroupsRetrieve({ groupUuid: group.pk })).name).toBe(`${group.name} (patched)`);
    });

    it('answers DRF 400s and authentik 403s the client surfaces as ResponseError', async () => {
      expect(await failure(new CoreApi(config()).coreGroupsCreate({ groupRequest: { name: '' } }))).toEqual({
        status: 400,
        body: { name: ['This field may not be blank.'] },
      });
      expect(await failure(new CoreApi(config('not-a-key')).coreUsersList({}))).toEqual({
        status: 403,
        body: { detail: 'Token invalid/expired' },
      });
    });

    it('serves other APIs of the client too', async () => {
      const tokens = await new Oauth2Api(config()).oauth2AccessTokensList({ pageSize: 3 });
      expect(tokens.results.length).toBeLessThanOrEqual(3);
      expect(tokens.pagination.count).toBeGreaterThanOrEqual(tokens.results.length);
    });
  });
}

clientSuite('MSW (setupServer)', async () => {
  const server = setupServer(...createHandlers({ origin: 'http://authentik.test', adminToken: TOKEN }));
  server.listen({ onUnhandledRequest: 'error' });
  return { basePath: 'http://authentik.test/api/v3', close: async () => server.close() };
});

clientSuite('HTTP (startMock on 127.0.0.1)', async () => {
  const running: RunningMock = await startMock({ adminToken: TOKEN });
  return { basePath: running.apiUrl.replace(/\/$/, ''), close: running.close };
});
