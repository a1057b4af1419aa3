import { describe, expect, it } from 'vitest';
import { AnswerCache } from '../src/core/answer-cache.js';
import { jsonText } from '../src/core/http.js';

const entry = (body: string, version = 1) => ({ version, validUntil: Infinity, answer: jsonText(200, body) });
const bodyOf = (cache: AnswerCache, key: string) => cache.get(key, 1, 0)?.body;
/**
 * An answer kept as the mock keeps it (its key asked, and answered, a second time), then served from the cache once:
 * held as its text, and its UTF-8 bytes where the cache keeps them (`keepBytes`, as the Node server's does).
 */
const keep = (cache: AnswerCache, key: string, kept: ReturnType<typeof entry>) => {
  if (!cache.get(key, kept.version, 0)) cache.set(key, kept);
  cache.set(key, kept);
  cache.get(key, kept.version, 0);
};
/** What an ASCII answer served again holds: its key, its text, its bytes, and 64 for the entry. */
const heldSize = (key: string, body: string) => key.length + 2 * body.length + 64;

describe('the answer cache', () => {
  it('evicts the least recently used answers first, a read counting as a use', () => {
    const cache = new AnswerCache({ maxBytes: 3 * heldSize('k1', 'k1'.repeat(50)), keepBytes: true });
    for (const key of ['k1', 'k2', 'k3']) keep(cache, key, entry(key.repeat(50)));
    expect(bodyOf(cache, 'k1')).toBe('k1'.repeat(50)); // k2 is now the oldest
    keep(cache, 'k4', entry('k4'.repeat(50)));
    expect(bodyOf(cache, 'k2')).toBeUndefined();
    expect([bodyOf(cache, 'k1'), bodyOf(cache, 'k3'), bodyOf(cache, 'k4')]).toEqual(['k1', 'k3', 'k4'].map((k) => k.repeat(50)));
    expect(cache.size).toBe(3);
  });

  it('keeps evicting in order through many uses and replacements, within its bytes', () => {
    const size = heldSize('k00000', 'x'.repeat(100));
    const cache = new AnswerCache({ maxBytes: 10 * size, keepBytes: true });
    // The same steps on a plain list of keys, least recently used first: what the cache must hold.
    let model: string[] = [];
    const use = (key: string) => (model = [...model.filter((k) => k !== key), key].slice(-10));
    const key = (n: number) => `k${String(n).padStart(5, '0')}`;
    for (let n = 0; n < 5000; n++) {
      keep(cache, key(n), entry('x'.repeat(100)));
      use(key(n));
      if (n % 3 === 0 && cache.get(key(n - 5), 1, 0)) use(key(n - 5)); // a use moves an older answer to the newest end
      if (n % 7 === 0) {
        keep(cache, key(n - 2), entry('y'.repeat(100))); // a replacement too
        use(key(n - 2));
      }
      expect(cache.heldBytes).toBeLessThanOrEqual(10 * size);
    }
    expect(cache.size).toBe(10);
    const held = model.filter((k) => bodyOf(cache, k) !== undefined);
    expect(held).toEqual(model);
  });

  it('drops an answer of another version of the world when it is read, and keeps the new one at once', () => {
    const cache = new AnswerCache();
    keep(cache, 'k', entry('old', 1));
    expect(cache.get('k', 2, 0)).toBeUndefined();
    expect(cache.size).toBe(0);
    expect(cache.heldBytes).toBe(0);
    cache.set('k', entry('new', 2));
    expect(cache.get('k', 2, 0)?.body).toBe('new');
  });

  it('keeps an answer from the second time its key is asked: keys asked once fill nothing', () => {
    const cache = new AnswerCache();
    for (let n = 0; n < 10_000; n++) cache.set(`once ${n}`, entry('x'.repeat(1000)));
    expect(cache.size).toBe(0);
    cache.set('twice', entry('answer'));
    expect(cache.get('twice', 1, 0)).toBeUndefined();
    cache.set('twice', entry('answer'));
    expect(cache.get('twice', 1, 0)?.body).toBe('answer');
  });
});

describe('an answer served again', () => {
  it('carries its text as UTF-8 bytes (non-ASCII too), counted in what the cache holds', () => {
    const cache = new AnswerCache({ keepBytes: true });
    const body = JSON.stringify({ name: 'Grüße ✓ 日本語 🦊' });
    cache.set('k', entry(body));
    cache.set('k', entry(body));
    const before = cache.heldBytes;
    const served = cache.get('k', 1, 0)!;
    expect(served.body).toBe(body);
    expect(new TextDecoder().decode(served.bytes)).toBe(body);
    expect(cache.heldBytes).toBe(before + new TextEncoder().encode(body).byteLength);
    expect(cache.get('k', 1, 0)!.bytes).toBe(served.bytes); // encoded once
  });

  it('is held as its text alone where nothing writes bytes (fetch: MSW, the browser)', () => {
    const cache = new AnswerCache();
    const body = JSON.stringify({ name: 'Grüße' });
    cache.set('k', entry(body));
    cache.set('k', entry(body));
    const before = cache.heldBytes;
    expect(cache.get('k', 1, 0)!.bytes).toBeUndefined();
    expect(cache.heldBytes).toBe(before);
  });
});
