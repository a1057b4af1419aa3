import { httpError, type Answer } from './http.js';

/** Answers shorter than this go out in one write, as before: the kernel's socket buffers take them whole. */
export const LARGE_ANSWER_CHARS = 64 * 1024;

/** Large reads whose sizes are remembered (see `refuseEarly`). */
const RECENT_READS = 256;

/** Pieces a large answer is given out in (characters; about as many bytes for JSON). */
const PIECE_CHARS = 64 * 1024;

/** DRF's wording for a 503 (its docs' ServiceUnavailable example, api-guide/exceptions.md), then why. */
export const SERVICE_UNAVAILABLE = 'Service temporarily unavailable, try again later.';

/**
 * Bytes of large answers their clients have not taken yet, bounded in all. A client that asks for a huge page and
 * never reads it keeps that page in the mock's memory: forty of them held more than a gigabyte (issue 16). So a large
 * answer (64 KiB or more) is streamed: its text goes out in pieces as the adapter pulls them (the Express bridge
 * pulls as the socket drains), and its length counts until the last piece is pulled or the stream is cancelled (the
 * client went away). A GET whose answer does not fit beside those held answers 503 instead (nothing changed; a
 * repeat of it is refused before it is made); one answer alone is always sent, whatever its size, and answers of
 * writes are never refused (their change is made).
 *
 * Only for adapters that pull bodies as clients read them and cancel them when clients go: a page that never reads a
 * response body (in process, MSW) would hold its place forever, so MockOptions leaves this off unless asked.
 */
export class UnsentAnswers {
  private held = 0;
  /** Sizes of recent large reads, by caller and URL at a world version: a repeat that cannot fit is refused unrendered. */
  private readonly recent = new Map<string, { version: number; chars: number }>();

  constructor(readonly maxBytes: number) {}

  /** Characters of large answers given out and not yet taken (about bytes: JSON is mostly ASCII). */
  get heldBytes(): number {
    return this.held;
  }

  /**
   * A 503 before the answer is made, when this very read (by caller and URL) answered a large text at this world
   * version that would not fit now: forty readers of one huge page cost one rendering each, not forty.
   */
  refuseEarly(read: ReadOf | undefined, version: number): Answer | undefined {
    if (read === undefined || this.held === 0) return undefined;
    const seen = this.recent.get(readerKey(read));
    if (!seen || seen.version !== version || !this.wouldRefuse(seen.chars)) return undefined;
    return this.refusal();
  }

  /**
   * The answer to send: as it is (small, bodiless), streamed and counted (large), or a 503 when it does not fit and
   * it may be refused (`read` given: a GET of the API; writes and control answers are never refused).
   */
  admit(answer: Answer, read: ReadOf | undefined, version: number): Answer {
    const text = answer.body;
    if (typeof text !== 'string' || text.length < LARGE_ANSWER_CHARS) return answer;
    if (read !== undefined) {
      this.remember(readerKey(read), version, text.length);
      if (this.wouldRefuse(text.length)) return this.refusal();
    }
    this.held += text.length;
    let released = false;
    const release = () => {
      if (!released) this.held -= text.length;
      released = true;
    };
    return {
      ...answer,
      headers: { ...answer.headers, 'content-length': String(utf8Length(text)) },
      body: pieces(text, release),
    };
  }

  /** One answer alone is always sent, whatever its size; beside others, only within the bound. */
  private wouldRefuse(chars: number): boolean {
    return this.held > 0 && this.held + chars > this.maxBytes;
  }

  private remember(key: string, version: number, chars: number): void {
    this.recent.delete(key);
    this.recent.set(key, { version, chars });
    if (this.recent.size > RECENT_READS) this.recent.delete(this.recent.keys().next().value!);
  }

  private refusal(): Answer {
    const mib = (bytes: number) => `${Math.ceil(bytes / 2 ** 20)} MiB`;
    return httpError(
      503,
      `${SERVICE_UNAVAILABLE} This mock holds ${mib(this.held)} of answers its clients have not read yet (at most ${mib(this.maxBytes)}).`,
    ).toAnswer();
  }
}

/** The text as a byte stream pulled a piece at a time; `done` once it is all pulled or the stream is cancelled. */
function pieces(text: string, done: () => void): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  let at = 0;
  return new ReadableStream<Uint8Array>(
    {
      pull(controller) {
        let end = Math.min(at + PIECE_CHARS, text.length);
        // Never between the two halves of a surrogate pair: each half alone would be encoded as U+FFFD.
        if (end < text.length && isHighSurrogate(text.charCodeAt(end - 1))) end--;
        controller.enqueue(encoder.encode(text.slice(at, end)));
        at = end;
        if (at >= text.length) {
          controller.close();
          done();
        }
      },
      cancel: done,
    },
    { highWaterMark: 0 },
  );
}

/** A GET of the API, as far as this bound tells reads apart: by caller and URL (as the answer cache does). */
export type ReadOf = { readonly url: string; readonly headers: Pick<Headers, 'get'> };

/** Who reads what: the caller's credentials (a bearer key, a session's cookies) and the URL. The answer cache keys by it too. */
export const readerKey = (read: ReadOf): string =>
  `${read.headers.get('authorization') ?? ''}|${read.headers.get('cookie') ?? ''}|${read.url}`;

const isHighSurrogate = (code: number) => code >= 0xd800 && code <= 0xdbff;

/** UTF-8 length of a string (TextEncoder would copy it), for the Content-Length of a streamed answer. */
function utf8Length(text: string): number {
  let bytes = text.length;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x80) continue;
    if (code < 0x800) bytes += 1;
    else if (isHighSurrogate(code) && i + 1 < text.length && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      bytes += 2; // 4 bytes for two UTF-16 units
      i++;
    } else bytes += 2;
  }
  return bytes;
}
