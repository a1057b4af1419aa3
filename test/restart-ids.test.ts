// Issue 16, with the built CLI: kill -9 and restart from the data file, five rounds, creates in between. Nothing
// older than the save delay is lost, and no id is handed out twice (a create never replaces what an earlier round made).
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, serveCli, until, type Served } from './support/serve-cli.js';

const ADMIN = 'restart-admin-token';
const USER = 'restart-user-token';
let dir: string;

/** The fields these tests read of an answer. */
interface Answer {
  pk: string | number;
  name?: string;
  identifier?: string;
  user: { username: string };
}

beforeAll(() => {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run "npm run build" first`);
  dir = mkdtempSync(join(tmpdir(), 'authentik-mock-restart-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function call(
  served: Served,
  method: string,
  path: string,
  token: string,
  body?: unknown,
): Promise<{ status: number; body: Answer }> {
  const response = await fetch(`${served.api.replace(/\/$/, '')}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  return { status: response.status, body: (text ? JSON.parse(text) : {}) as Answer };
}

describe('serve --data across kill -9', () => {
  it('five kill -9/restart rounds: every record created earlier is still there and no id is handed out twice', async () => {
    const file = join(dir, 'world.json');
    const handedOut: string[] = [];
    const made: Array<{ path: string; id: string; name: string }> = [];
    for (let round = 0; round < 5; round++) {
      const served = await serveCli([
        '--data',
        file,
        '--save-delay',
        '100',
        '--records',
        '2',
        '--token',
        ADMIN,
        '--user-token',
        USER,
        '--quiet',
      ]);
      try {
        // Everything made in earlier rounds is there, unchanged.
        for (const { path, id, name } of made) {
          const found = await call(served, 'GET', `${path}${id}/`, ADMIN);
          expect(found.status, `${path}${id}/ of an earlier round`).toBe(200);
          expect(found.body.name ?? found.body.identifier).toBe(name);
        }
        // A group (uuid pk), a user (integer pk) and a token the ordinary user makes.
        const group = await call(served, 'POST', '/core/groups/', ADMIN, { name: `group ${round}` });
        const user = await call(served, 'POST', '/core/users/', ADMIN, { username: `user-${round}`, name: `user ${round}` });
        const token = await call(served, 'POST', '/core/tokens/', USER, { identifier: `token-${round}`, intent: 'api' });
        expect([group.status, user.status, token.status]).toEqual([201, 201, 201]);
        made.push({ path: '/core/groups/', id: String(group.body.pk), name: `group ${round}` });
        made.push({ path: '/core/users/', id: String(user.body.pk), name: `user ${round}` });
        made.push({ path: '/core/tokens/', id: `token-${round}`, name: `token-${round}` });
        handedOut.push(`group ${group.body.pk}`, `user ${user.body.pk}`, `token ${token.body.pk}`);
        // Past the save delay: the file holds this round's records; then the process dies without a word.
        await until(() => existsSync(file) && readFileSync(file, 'utf8').includes(`token-${round}`));
      } finally {
        await served.stop('SIGKILL');
      }
    }
    expect(new Set(handedOut).size).toBe(handedOut.length);
    // And the admin's own token was never replaced by one a visitor created.
    const last = await serveCli(['--data', file, '--records', '2', '--token', ADMIN, '--user-token', USER, '--quiet']);
    try {
      const me = await call(last, 'GET', '/core/users/me/', ADMIN);
      expect(me.body.user.username).toBe('akadmin');
    } finally {
      await last.stop();
    }
  }, 90_000);
});
