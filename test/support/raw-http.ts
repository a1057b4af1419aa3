/** Raw HTTP/1.1 requests on their own loopback connections, for attack tests: clients that never read, never close. */
import { connect, type Socket } from 'node:net';

export interface RawRequest {
  socket: Socket;
  /** The status of the answer (reading it now, if the socket was paused), or 0 when the server closed without one. */
  status: () => Promise<number>;
  /** The whole answer (by its Content-Length), or what arrived before the server closed the connection (reading it now). */
  text: () => Promise<string>;
}

/**
 * `GET path` (or another method) on a new connection from `localAddress` (any of 127.0.0.0/8). `paused`: the socket
 * reads nothing until `status()` or `text()` is called, so the answer waits in the server (a stalled reader).
 */
export function rawRequest(
  port: number,
  path: string,
  options: { headers?: Record<string, string>; method?: string; paused?: boolean; localAddress?: string } = {},
): RawRequest {
  const socket = connect({ port, host: '127.0.0.1', ...(options.localAddress ? { localAddress: options.localAddress } : {}) });
  if (options.paused) socket.pause();
  socket.on('error', () => undefined);
  const lines = Object.entries({ host: `127.0.0.1:${port}`, ...options.headers }).map(([k, v]) => `${k}: ${v}`);
  socket.write(`${options.method ?? 'GET'} ${path} HTTP/1.1\r\n${lines.join('\r\n')}\r\n\r\n`);
  let received = '';
  let closed = false;
  const waiters = new Set<() => void>();
  socket.on('data', (chunk: Buffer) => {
    received += chunk.toString('utf8');
    for (const wake of waiters) wake();
  });
  socket.once('close', () => {
    closed = true;
    for (const wake of waiters) wake();
  });
  const until = (done: () => boolean) =>
    new Promise<void>((resolve) => {
      const wake = () => done() && (waiters.delete(wake), resolve());
      waiters.add(wake);
      socket.resume();
      wake();
    });
  return {
    socket,
    status: async () => {
      await until(() => closed || received.includes('\r\n'));
      return Number(/^HTTP\/1\.1 (\d{3})/.exec(received)?.[1] ?? 0);
    },
    text: async () => {
      await until(() => closed || isWhole(received));
      return received;
    },
  };
}

/** Whether an answer's head and as many body bytes as its Content-Length say have arrived. */
function isWhole(received: string): boolean {
  const end = received.indexOf('\r\n\r\n');
  if (end < 0) return false;
  const length = /\r\ncontent-length: *(\d+)/i.exec(received.slice(0, end))?.[1];
  return length !== undefined && Buffer.byteLength(received.slice(end + 4)) >= Number(length);
}
