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
  private readonly entries = new Map<string, CachedAnswer>();
  /**
   * Where eviction goes on: every entry before it was evicted or used again (deleted and set at the end), so it is at
   * the least recently used one. Iterating the Map from its start instead would step over every entry deleted since
   * the Map last compacted itself: with the cache full, that was most of the time of a request.
   */
  private oldest: Iterator<[string, CachedAnswer]> = this.entries.entries();
  private bytes = 0;
  private readonly asked = new Set<string>();
  private readonly maxBytes: number;
  private readonly maxEntryBytes: number;

  constructor(limits: AnswerCacheLimits = {}) {
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
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    this.entries.delete(key);
    if (entry.version !== version || now >= entry.validUntil) {
      this.bytes -= sizeOf(key, entry.answer);
      this.remember(key); // its answer at this version is kept at once
      return undefined;
    }
    this.entries.set(key, entry); // most recently used last
    if (typeof entry.answer.body === 'string' && !entry.answer.bytes) this.encode(entry);
    return entry.answer;
  }

  /**
   * An answer served again is kept as UTF-8 bytes too: a bridge that writes bytes (Node's) then sends them as they
   * are, instead of encoding the text again for every client. Counted in the cache's bytes.
   */
  private encode(entry: CachedAnswer): void {
    const bytes = encoder.encode(entry.answer.body as string);
    entry.answer = { ...entry.answer, bytes };
    this.bytes += bytes.byteLength;
    // The entry itself is the newest: what goes is older.
    while (this.bytes > this.maxBytes && this.entries.size > 1) this.evictOldest();
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
    if (previous) {
      this.entries.delete(key);
      this.bytes -= sizeOf(key, previous.answer);
    }
    while (this.bytes + size > this.maxBytes && this.entries.size > 0) this.evictOldest();
    this.entries.set(key, entry);
    this.bytes += size;
  }

  /** Whether the key was asked before (it is remembered now if not). */
  private askedBefore(key: string): boolean {
    if (this.asked.delete(key)) return true;
    this.remember(key);
    return false;
  }

  private remember(key: string): void {
    if (this.asked.size >= ASKED_KEYS) this.asked.clear();
    this.asked.add(key);
  }

  private evictOldest(): void {
    let next = this.oldest.next();
    // An iterator that reached the end stays there: a new one starts at the oldest entry.
    if (next.done) next = (this.oldest = this.entries.entries()).next();
    if (next.done) return;
    const [key, entry] = next.value;
    this.entries.delete(key);
    this.bytes -= sizeOf(key, entry.answer);
  }
}

/** What an entry holds; a streamed body is never cached (it can be read once). */
function sizeOf(key: string, answer: Answer): number {
  if (answer.body !== undefined && typeof answer.body !== 'string') return Infinity;
  return key.length + (answer.body?.length ?? 0) + (answer.bytes?.byteLength ?? 0) + 64;
}
