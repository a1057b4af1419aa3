/**
 * The browser build of createHandlers across page loads, with Web Storage standing in as a page has it: ids never
 * collide across reloads; with `persist`, the world (and what the app created) is still there after a reload.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createHandlers } from '../src/adapters/msw.js';
import { Contract } from '../src/contract/contract.js';
import { referenceDocument } from './support/contracts.js';

const contract = new Contract(referenceDocument());
const TOKEN = 'page-token';

class MemoryStorage {
  private readonly items = new Map<string, string>();
  getItem(key: string): string | null {
    return this.items.get(key) ?? null;
  }
  setItem(key: string, value: string): void {
    this.items.set(key, String(value));
  }
  removeItem(key: string): void {
    this.items.delete(key);
  }
}

/** One page load: its handlers' mock, as a fetch. */
function load(persist?: 'sessionStorage' | 'localStorage') {
  const { mock } = createHandlers({ contract, adminToken: TOKEN, ...(persist ? { persist } : {}) });
  const call = async (method: string, path: string, body?: unknown) => {
    const response = await mock.fetch(`http://authentik.test/api/v3${path}`, {
      method,
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };
  return { mock, call };
}

/** What a page does before it goes: the pending save is written now. */
const leavePage = () => vi.runAllTimers();

describe('createHandlers in a page, across reloads', () => {
  beforeEach(() => {
    vi.useFakeTimers();
    vi.stubGlobal('localStorage', new MemoryStorage());
    vi.stubGlobal('sessionStorage', new MemoryStorage());
  });
  afterEach(() => {
    vi.useRealTimers();
    vi.unstubAllGlobals();
  });

  it('without persist: each load starts from the seed, and ids created after a reload never repeat earlier ones', async () => {
    const first = load();
    const group1 = (await first.call('POST', '/core/groups/', { name: 'before reload' })).body;
    const user1 = (await first.call('POST', '/core/users/', { username: 'before-reload', name: 'Before' })).body;
    leavePage();

    const second = load();
    const names = ((await second.call('GET', '/core/groups/?page_size=1000')).body['results'] as Array<{ name: string }>).map(
      (g) => g.name,
    );
    expect(names).not.toContain('before reload');
    const group2 = (await second.call('POST', '/core/groups/', { name: 'after reload' })).body;
    const user2 = (await second.call('POST', '/core/users/', { username: 'after-reload', name: 'After' })).body;
    expect(group2['pk']).not.toBe(group1['pk']);
    expect(user2['pk'] as number).toBeGreaterThan(user1['pk'] as number);
  });

  it('with persist: what the app created is there after a reload, and new ids go on from there', async () => {
    const first = load('sessionStorage');
    const created = (await first.call('POST', '/core/groups/', { name: 'kept across reloads' })).body;
    const user1 = (await first.call('POST', '/core/users/', { username: 'kept-user', name: 'Kept' })).body;
    leavePage();

    const second = load('sessionStorage');
    const kept = await second.call('GET', `/core/groups/${String(created['pk'])}/`);
    expect(kept.status).toBe(200);
    expect(kept.body['name']).toBe('kept across reloads');
    const user2 = (await second.call('POST', '/core/users/', { username: 'next-user', name: 'Next' })).body;
    expect(user2['pk'] as number).toBeGreaterThan(user1['pk'] as number);
  });

  it('a kept world that no longer fits is dropped with a warning, not fatal', async () => {
    sessionStorage.setItem(
      'authentik-mock:world',
      JSON.stringify({ format: 'authentik-mock-world/2', contract: 'other', records: {}, keys: {} }),
    );
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const page = load('sessionStorage');
    expect((await page.call('GET', '/core/groups/?page_size=1')).status).toBe(200);
    expect(warn).toHaveBeenCalledWith(expect.stringMatching(/does not fit/));
    expect(sessionStorage.getItem('authentik-mock:world')).toBeNull();
  });
});
