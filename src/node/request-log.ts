/**
 * The request log of `serve`: one line per answered request (text or JSON) and the server's own events (reset,
 * stop), written to stdout a turn of the event loop at a time and never held without bound.
 */
import type { RequestLogEntry } from '../mock-server.js';

export type LogFormat = 'text' | 'json';

/** Escapes what could forge lines or repaint the operator's terminal: C0/C1 controls, DEL, line separators, bidi overrides. */
export function printable(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g, (c) => {
    const code = c.charCodeAt(0);
    return code < 0x100 ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
  });
}

/** `GET /api/v3/core/users/?page=2 200 3.1ms akadmin` (`-` for a forced network failure, which has no status). */
export function formatLogText(entry: RequestLogEntry): string {
  return `${printable(entry.method)} ${printable(entry.url)} ${entry.status || '-'} ${entry.ms.toFixed(1)}ms ${printable(entry.identity)}`;
}

/** One JSON object: `time` (ISO 8601), method, url, status (0 = no answer: a forced network failure), ms, identity. */
export function formatLogJson(entry: RequestLogEntry, time = new Date()): string {
  return JSON.stringify({
    time: time.toISOString(),
    method: entry.method,
    url: entry.url,
    status: entry.status,
    ms: Math.round(entry.ms * 100) / 100,
    identity: entry.identity,
  });
}

/**
 * Lines to a stream, written once per event-loop turn rather than once per line (a write to a pipe or file is a
 * synchronous syscall in Node). If the reader falls more than `limit` bytes behind, lines are dropped and counted
 * rather than held in memory; if it goes away (EPIPE), logging stops and the server carries on.
 */
export class LineWriter {
  private lines: string[] = [];
  private bytes = 0;
  private dropped = 0;
  private scheduled = false;
  private broken = false;

  constructor(
    private readonly stream: NodeJS.WritableStream & { writableLength?: number },
    private readonly droppedLine: (count: number) => string,
    private readonly limit = 1 << 20,
  ) {
    stream.on('error', () => (this.broken = true));
  }

  write(line: string): void {
    if (this.broken) return;
    if (this.bytes + (this.stream.writableLength ?? 0) > this.limit) {
      this.dropped++;
      return;
    }
    this.lines.push(line);
    this.bytes += line.length + 1;
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => this.flush());
    }
  }

  flush(): void {
    this.scheduled = false;
    if (this.dropped > 0 && this.bytes + (this.stream.writableLength ?? 0) <= this.limit) {
      this.lines.push(this.droppedLine(this.dropped));
      this.dropped = 0;
    }
    if (this.lines.length === 0 || this.broken) return;
    const text = `${this.lines.join('\n')}\n`;
    this.lines = [];
    this.bytes = 0;
    this.stream.write(text);
  }
}

/** The request log and the server's own events (reset, stop) on a stream (stdout), as text or JSON lines. */
export class RequestLog {
  private readonly out: LineWriter;

  constructor(
    private readonly format: LogFormat,
    stream: NodeJS.WritableStream & { writableLength?: number } = process.stdout,
  ) {
    this.out = new LineWriter(stream, (count) =>
      this.eventLine('dropped', `${count} log lines dropped (stdout is not keeping up)`, { lines: count }),
    );
  }

  request(entry: RequestLogEntry): void {
    this.out.write(this.format === 'json' ? formatLogJson(entry) : formatLogText(entry));
  }

  event(event: string, message: string, fields: Record<string, unknown> = {}): void {
    this.out.write(this.eventLine(event, message, fields));
  }

  flush(): void {
    this.out.flush();
  }

  private eventLine(event: string, message: string, fields: Record<string, unknown>): string {
    return this.format === 'json'
      ? JSON.stringify({ time: new Date().toISOString(), event, message, ...fields })
      : `authentik-mock: ${message}`;
  }
}
