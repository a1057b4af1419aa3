import type { Answer } from './http.js';

export interface CachedAnswer {
  /** The world's version the answer was computed at: valid until it changes. */
  version: number;
  /** When the caller's token stops authenticating (ms since epoch). */
  validUntil: number;
  answer: Answer;
}

export interface AnswerCacheLimits {
  /**
   * All cached bodies together, in bytes: a body's text (its UTF-16 length as the measure) and, once it is served
   * again, its UTF-8 bytes. Default 32 MiB.
   */
  maxBytes?: number;
  /** Larger answers are never cached: a huge page costs one answer's memory, never a cache full of them. Default 256 KiB. */
  maxEntryBytes?: number;
  /**
   * Keep an answer served again as UTF-8 bytes too, for a bridge that writes bytes: the Node server sends them as they
   * are instead of encoding the text for every client (its `createServedMock` sets this). Off by default: `fetch`
   * (MSW, the browser) answers with the text, and the bytes would only double what the cache holds.
   */
  keepBytes?: boolean;
}

const encoder = new TextEncoder();

/** Keys asked once and not yet cached, at most (then forgotten all at once). */
const ASKED_KEYS = 4096;

/**
 * GET answers by caller and URL, bounded by the bytes of their bodies (not by count: junk query strings or huge
 * pages must not fill memory). Least recently used entries go first. An answer is kept from the second time its key
 * is asked (at any version of the world): one asked once (a query string made unique, say) would only be held until
 * it is evicted, and answers held that long and then dropped are what the garbage collector spends most on.
 */
export class AnswerCache {
  /**
   * Entries by key, and in a list from the least to the most recently used. (Map order would do, but finding its
   * first entry steps over every entry deleted since the Map last compacted itself: with the cache full, that was
   * most of a request's time; an iterator kept open instead keeps the Map's old tables, and what they held, alive.)
   */
  private readonly entries = new Map<string, Held>();
  private oldest: Held | undefined;
  private newest: Held | undefined;
  private bytes = 0;
  /**
   * Keys asked once, as hashes: no key string is kept for a URL asked once (most of them, when query strings vary).
   * Two keys with the same hash only make an answer cached the first time it is asked: never a wrong answer.
   */
  private readonly asked = new Set<number>();
  private readonly maxBytes: number;
  private readonly maxEntryBytes: number;
  private readonly keepBytes: boolean;

  constructor(limits: AnswerCacheLimits = {}) {
    this.keepBytes = limits.keepBytes === true;
    this.maxBytes = limits.maxBytes ?? 32 * 1024 * 1024;
    this.maxEntryBytes = Math.min(limits.maxEntryBytes ?? 256 * 1024, this.maxBytes);
  }

  get size(): number {
    return this.entries.size;
  }

  /** Bytes held now. */
  get heldBytes(): number {
    return this.bytes;
  }

  /** The entry if it is still valid at `version` and `now`; a stale one is dropped. */
  get(key: string, version: number, now: number): Answer | undefined {
    const held = this.entries.get(key);
    if (!held) return undefined;
    if (held.entry.version !== version || now >= held.entry.validUntil) {
      this.drop(held);
      this.remember(hashOf(key)); // its answer at this version is kept at once
      return undefined;
    }
    this.unlink(held);
    this.link(held); // the most recently used
    if (this.keepBytes && typeof held.entry.answer.body === 'string' && !held.entry.answer.bytes) this.encode(held.entry);
    return held.entry.answer;
  }

  /**
   * Keeps the answer if its key was asked before, unless it is too large or says it must not be stored
   * (`Cache-Control: no-store`: it is of now).
   */
  set(key: string, entry: CachedAnswer): void {
    const size = sizeOf(key, entry.answer);
    if (size > this.maxEntryBytes || /\bno-store\b/i.test(entry.answer.headers['cache-control'] ?? '')) return;
    if (!this.askedBefore(key)) return;
    const previous = this.entries.get(key);
    if (previous) this.drop(previous);
    while (this.bytes + size > this.maxBytes && this.oldest) this.drop(this.oldest);
    const held: Held = { key, entry, older: undefined, newer: undefined };
    this.entries.set(key, held);
    this.link(held);
    this.bytes += size;
  }

  /** An answer served again, kept as UTF-8 bytes too (`keepBytes`), counted in the cache's bytes. */
  private encode(entry: CachedAnswer): void {
    const bytes = encoder.encode(entry.answer.body as string);
    entry.answer = { ...entry.answer, bytes };
    this.bytes += bytes.byteLength;
    // The entry itself is the newest: what goes is older.
    while (this.bytes > this.maxBytes && this.oldest && this.oldest !== this.newest) this.drop(this.oldest);
  }

  /** Whether the key was asked before (it is remembered now if not). */
  private askedBefore(key: string): boolean {
    const hash = hashOf(key);
    if (this.asked.delete(hash)) return true;
    this.remember(hash);
    return false;
  }

  private remember(hash: number): void {
    if (this.asked.size >= ASKED_KEYS) this.asked.clear();
    this.asked.add(hash);
  }

  private drop(held: Held): void {
    this.unlink(held);
    this.entries.delete(held.key);
    this.bytes -= sizeOf(held.key, held.entry.answer);
  }

  /** As the newest. */
  private link(held: Held): void {
    held.older = this.newest;
    held.newer = undefined;
    if (this.newest) this.newest.newer = held;
    else this.oldest = held;
    this.newest = held;
  }

  private unlink(held: Held): void {
    if (held.older) held.older.newer = held.newer;
    else this.oldest = held.newer;
    if (held.newer) held.newer.older = held.older;
    else this.newest = held.older;
    held.older = held.newer = undefined;
  }
}

/** An entry in the cache's list of use. */
interface Held {
  key: string;
  entry: CachedAnswer;
  older: Held | undefined;
  newer: Held | undefined;
}

/** What an entry holds; a streamed body is never cached (it can be read once). */
function sizeOf(key: string, answer: Answer): number {
  if (answer.body !== undefined && typeof answer.body !== 'string') return Infinity;
  return key.length + (answer.body?.length ?? 0) + (answer.bytes?.byteLength ?? 0) + 64;
}

/** FNV-1a over the key's UTF-16 code units, kept to 30 bits (V8's small integers): stored without an allocation. */
function hashOf(key: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) hash = Math.imul(hash ^ key.charCodeAt(i), 0x01000193);
  return hash & 0x3fffffff;
}
