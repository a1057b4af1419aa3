/**
 * Attacks on a shared demo, against the built CLI as an operator runs it (`serve --demo`, `serve --data`), on loopback:
 * anonymous lock-out through held answers, slow readers of huge pages, a data file that can no longer be saved.
 * Each is bounded in count and time and stops what it starts.
 */
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rawRequest, type RawRequest } from './support/raw-http.js';
import { CLI, serveCli, until, type Served } from './support/serve-cli.js';

let dir: string;

beforeAll(() => {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run "npm run build" first`);
  dir = mkdtempSync(join(tmpdir(), 'authentik-mock-attacks-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The key the banner prints after `label` (`admin token`, `user token`, `control token`). */
function printed(served: Served, label: string): string {
  const key = new RegExp(`^ *${label}[^:\\n]*: +(\\S+)`, 'm').exec(served.banner)?.[1];
  if (!key) throw new Error(`no ${label} in the banner:\n${served.banner}`);
  return key;
}

const portOf = (served: Served) => Number(new URL(served.origin).port);

async function get(served: Served, path: string, key: string, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${served.origin}${path}`, { headers: { authorization: `Bearer ${key}`, ...headers } });
}

/** Status, and that the server's process is still the one answering, while every attacker is still connected. */
async function normalRequest(served: Served, key: string): Promise<number> {
  const reply = await fetch(`${served.api}core/groups/?page_size=1`, {
    headers: { authorization: `Bearer ${key}` },
    signal: AbortSignal.timeout(10_000),
  });
  await reply.arrayBuffer();
  return reply.status;
}

function closeAll(requests: RawRequest[]): void {
  for (const request of requests) request.socket.destroy();
}

describe('serve --demo', () => {
  it('prints a generated control token that opens /_mock/ (the admin key does not), resets hourly, forces only for callers with a key', async () => {
    const served = await serveCli(['--demo', '--records', '2', '--quiet']);
    try {
      const control = printed(served, 'control token');
      const admin = printed(served, 'admin token');
      const user = printed(served, 'user token');
      expect(control).toMatch(/^[A-Za-z0-9_-]{40,}$/);
      expect(served.banner).toMatch(/reset {7}every 1h, next at /);
      expect(served.banner).toContain('for authenticated callers only');
      expect((await get(served, '/_mock/', control)).status).toBe(200);
      expect((await get(served, '/_mock/', admin)).status).toBe(403);
      const anonymous = await fetch(`${served.api}core/users/`, { headers: { prefer: 'code=500' } });
      expect(anonymous.status).toBe(403);
      expect((await get(served, '/api/v3/core/users/', user, { prefer: 'code=500' })).status).toBe(500);
      // Printed once: the control API hands out the API keys, never its own.
      expect(JSON.stringify(await (await get(served, '/_mock/tokens', control)).json())).not.toContain(control);
      // A visitor cannot break the printed user key for the others.
      const expire = await fetch(`${served.api}core/tokens/authentik-mock-user/`, {
        method: 'PATCH',
        headers: { authorization: `Bearer ${user}`, 'content-type': 'application/json' },
        body: JSON.stringify({ expiring: true, expires: '2000-01-01T00:00:00Z' }),
      });
      expect(expire.status).toBe(403);
      expect((await get(served, '/api/v3/core/users/me/', user)).status).toBe(200);
    } finally {
      await served.stop();
    }
  });

  it('1,000 anonymous Prefer: network=timeout requests leave the API answering: each is a 403 at once', async () => {
    const served = await serveCli(['--demo', '--records', '2', '--quiet']);
    const attackers: RawRequest[] = [];
    try {
      for (let i = 0; i < 1000; i++)
        attackers.push(rawRequest(portOf(served), '/api/v3/core/users/', { headers: { prefer: 'network=timeout' }, paused: true }));
      // Each attacker is refused at once and the server lets go of its connection (a held one would take a place
      // of --max-connections). Waiting for all 1,000 first keeps a loaded machine from racing the normal request
      // against connections the server has not reached yet.
      const statuses = await Promise.all(attackers.map((a) => a.status()));
      expect(new Set(statuses)).toEqual(new Set([403]));
      // No attacker has closed its side: the API still answers a normal request.
      expect(await normalRequest(served, printed(served, 'admin token'))).toBe(200);
    } finally {
      closeAll(attackers);
      await served.stop();
    }
  }, 60_000);

  it('1,000 held requests with the printed user token: one client holds a few, the rest are 429s, and the API answers', async () => {
    const served = await serveCli(['--demo', '--records', '2', '--quiet', '--max-hold', '20s']);
    const user = printed(served, 'user token');
    const attackers: RawRequest[] = [];
    try {
      for (let i = 0; i < 1000; i++)
        attackers.push(
          rawRequest(portOf(served), '/api/v3/core/users/', {
            headers: { prefer: 'network=timeout', authorization: `Bearer ${user}` },
            paused: true,
          }),
        );
      expect(await normalRequest(served, printed(served, 'admin token'))).toBe(200);
      const throttled = await attackers[attackers.length - 1]!.text();
      expect(throttled).toMatch(/^HTTP\/1\.1 429/);
      expect(throttled).toMatch(/retry-after: 20/i);
      expect(throttled).toContain('this client already has 32 requests held by forced delays or timeouts');
    } finally {
      closeAll(attackers);
      await served.stop();
    }
  }, 60_000);
});

/** Resident memory of a process (Linux). */
function rssMb(pid: number): number {
  return Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;
}

describe.skipIf(!existsSync('/proc/self/status'))('slow readers (serve, RSS from /proc)', () => {
  it('40 connections that never read the largest page add at most ~100 MB; past the bound they get 503s', async () => {
    const served = await serveCli(['--records', '2500', '--token', 'slow-reader-admin']);
    const pid = served.child.pid!;
    const page = '/api/v3/oauth2/access_tokens/?page_size=100000';
    const auth = { authorization: 'Bearer slow-reader-admin' };
    const readers: RawRequest[] = [];
    const answered = () => served.stdout().split(`GET ${page} `).length - 1; // the request log: a line per answer
    try {
      const size = (await (await get(served, page, 'slow-reader-admin')).arrayBuffer()).byteLength;
      expect(size).toBeGreaterThan(5_000_000);
      const before = rssMb(pid);
      for (let i = 0; i < 40; i++) readers.push(rawRequest(portOf(served), page, { headers: auth, paused: true }));
      let peak = before;
      // Until the 40 are answered (a 200 held unread, or a 503), then a second more.
      await until(() => ((peak = Math.max(peak, rssMb(pid))), answered() === 41));
      const settle = Date.now() + 1000;
      await until(() => ((peak = Math.max(peak, rssMb(pid))), Date.now() > settle));
      expect(peak - before, `RSS ${before.toFixed(0)} MB before the readers, ${peak.toFixed(0)} MB at the peak`).toBeLessThan(100);
      const statuses = await Promise.all(readers.map((r) => r.status()));
      expect(statuses.filter((s) => s === 503).length).toBeGreaterThan(20);
      expect(statuses.every((s) => s === 200 || s === 503)).toBe(true);
      closeAll(readers);
      const unsent = async () =>
        ((await (await get(served, '/_mock/', 'slow-reader-admin')).json()) as { usage: { unsentBytes: number } }).usage.unsentBytes;
      await until(async () => (await unsent()) === 0);
    } finally {
      closeAll(readers);
      await served.stop();
    }
  }, 90_000);
});

describe('serve --data: a save that fails is not silent', () => {
  const group = (served: Served, key: string, name: string) =>
    fetch(`${served.api}core/groups/`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name }),
    });

  it('once the file cannot be saved, writes are 503s saying why, reads go on, the summary shows it; a later save brings writes back', async () => {
    const file = join(dir, 'failing.json');
    const served = await serveCli(['--records', '2', '--data', file, '--save-delay', '50', '--token', 'data-admin']);
    try {
      expect((await group(served, 'data-admin', 'saved first')).status).toBe(201);
      await until(() => existsSync(file));
      chmodSync(file, 0o444); // the operator protects it
      expect((await group(served, 'data-admin', 'made before the failure is known')).status).toBe(201);
      // Writes made before the failed save is known are acknowledged (and kept, below); from then on, 503s.
      const accepted: string[] = [];
      let refused: Response | undefined;
      await until(async () => {
        const name = `try ${accepted.length}`;
        refused = await group(served, 'data-admin', name);
        if (refused.status === 201) accepted.push(name);
        return refused.status === 503;
      });
      const detail = ((await refused!.json()) as { detail: string }).detail;
      expect(detail).toMatch(/^Service temporarily unavailable, try again later\. This mock cannot save its data \(failing\.json: /);
      expect(detail).toContain('is read-only (mode 0444)');
      expect(detail).not.toContain(dir); // where the file lives is the operator's business
      expect((await get(served, '/api/v3/core/groups/?page_size=1', 'data-admin')).status).toBe(200);
      const summary = (await (await get(served, '/_mock/', 'data-admin')).json()) as { writes: { accepted: boolean; reason: string } };
      expect(summary.writes).toEqual({ accepted: false, reason: expect.stringContaining('failing.json') });
      expect(statSync(file).mode & 0o777).toBe(0o444); // not replaced behind the operator's back
      expect(served.stderr()).toContain(`could not save ${file}`);

      chmodSync(file, 0o600);
      await until(async () => (await group(served, 'data-admin', 'accepted again')).status === 201);
      await served.stop();
      const names = JSON.stringify(JSON.parse(readFileSync(file, 'utf8')));
      for (const name of ['saved first', 'made before the failure is known', ...accepted, 'accepted again']) expect(names).toContain(name);
      expect(names).not.toContain(`"try ${accepted.length}"`);
    } finally {
      await served.stop();
    }
  }, 60_000);

  it('a data file its operator made read-only is refused at start, naming it, and left as it was', async () => {
    const file = join(dir, 'protected.json');
    writeFileSync(file, '{}');
    chmodSync(file, 0o444);
    await expect(serveCli(['--records', '2', '--data', file])).rejects.toThrow(/protected\.json is read-only \(mode 0444\)/);
    expect(readFileSync(file, 'utf8')).toBe('{}');
  });
});

describe('serve prints only keys that work', () => {
  it('a key the data file holds that no longer authenticates is not printed: the banner says so', async () => {
    const file = join(dir, 'expired.json');
    const first = await serveCli(['--records', '2', '--data', file, '--save-delay', '50', '--token', 'expiring-admin']);
    const expired = { expiring: true, expires: '2001-01-01T00:00:00Z' };
    const patched = await fetch(`${first.api}core/tokens/authentik-mock-user/`, {
      method: 'PATCH',
      headers: { authorization: 'Bearer expiring-admin', 'content-type': 'application/json' },
      body: JSON.stringify(expired),
    });
    expect(patched.status).toBe(200);
    expect(await first.stop()).toBe(0);
    const second = await serveCli(['--records', '2', '--data', file]);
    try {
      expect(second.banner).toMatch(/user token \(no rights\): {2}none that works: .*--user-token KEY/);
      expect(second.banner).toContain('admin token (akadmin):   expiring-admin');
    } finally {
      await second.stop();
    }
  });
});
