/**
 * authentik's client websocket, `/ws/client/` (authentik/root/websocket.py; authentik/root/messages/consumer.py
 * `MessageConsumer`): every web interface opens it, authentik accepts it whoever asks (`connect()` calls `accept()`
 * first) and only ever sends Django messages on it. The mock accepts it (RFC 6455 handshake), keeps it open, answers
 * pings and closes, and sends nothing. Bounded: at most `max` at once (503 beyond), frames of 64 KiB at most.
 */
import { createHash } from 'node:crypto';
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';

const CLIENT_SOCKET_PATH = '/ws/client/';
/** RFC 6455 §1.3: the key's answer is SHA-1 of the key and this GUID, base64. */
const HANDSHAKE_GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';
const MAX_PAYLOAD = 64 * 1024;
const DEFAULT_MAX_SOCKETS = 256;

const OPCODE = { close: 0x8, ping: 0x9, pong: 0xa } as const;

export interface ClientSockets {
  /** Sockets open now. */
  readonly size: number;
  /** Drops every socket (the server closes). */
  closeAll(): void;
}

function refuse(socket: Duplex, status: number, reason: string): void {
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Type: text/plain\r\nContent-Length: ${reason.length}\r\n\r\n${reason}`,
  );
}

/** A frame from the server (never masked), for control frames (payload ≤ 125 bytes). */
function frame(opcode: number, payload: Buffer = Buffer.alloc(0)): Buffer {
  return Buffer.concat([Buffer.from([0x80 | opcode, payload.length]), payload]);
}

/** Reads client frames as they arrive: pings are answered, a close is echoed, data is read and dropped. */
function serve(socket: Duplex): void {
  let pending = Buffer.alloc(0);
  const fail = (code: number) => {
    const status = Buffer.alloc(2);
    status.writeUInt16BE(code);
    socket.end(frame(OPCODE.close, status));
  };
  socket.on('data', (chunk: Buffer) => {
    pending = Buffer.concat([pending, chunk]);
    while (pending.length >= 2) {
      const opcode = pending[0]! & 0x0f;
      const masked = (pending[1]! & 0x80) !== 0;
      let length = pending[1]! & 0x7f;
      let offset = 2;
      if (length === 126) {
        if (pending.length < 4) return;
        length = pending.readUInt16BE(2);
        offset = 4;
      } else if (length === 127) {
        if (pending.length < 10) return;
        const big = pending.readBigUInt64BE(2);
        length = big > BigInt(MAX_PAYLOAD) ? MAX_PAYLOAD + 1 : Number(big);
        offset = 10;
      }
      if (!masked) return fail(1002); // a client's frames are masked (RFC 6455 §5.1)
      if (length > MAX_PAYLOAD) return fail(1009);
      if (pending.length < offset + 4 + length) return;
      const mask = pending.subarray(offset, offset + 4);
      const payload = Buffer.from(pending.subarray(offset + 4, offset + 4 + length));
      for (let i = 0; i < payload.length; i++) payload[i]! ^= mask[i % 4]!;
      pending = pending.subarray(offset + 4 + length);
      if (opcode === OPCODE.close) return void socket.end(frame(OPCODE.close, payload.subarray(0, 2)));
      if (opcode === OPCODE.ping) socket.write(frame(OPCODE.pong, payload.subarray(0, 125)));
    }
  });
}

/** Accepts `/ws/client/` websockets on the server; other upgrades are refused (404). */
export function acceptClientSockets(server: Server, max = DEFAULT_MAX_SOCKETS): ClientSockets {
  const sockets = new Set<Duplex>();
  server.on('upgrade', (request: IncomingMessage, socket: Duplex) => {
    socket.on('error', () => socket.destroy());
    const path = (request.url ?? '/').split('?')[0];
    if (path !== CLIENT_SOCKET_PATH) return refuse(socket, 404, 'Not Found');
    const key = request.headers['sec-websocket-key'];
    const upgrade = (request.headers.upgrade ?? '').toLowerCase();
    if (
      upgrade !== 'websocket' ||
      typeof key !== 'string' ||
      !/^[A-Za-z0-9+/]{22}==$/.test(key) ||
      request.headers['sec-websocket-version'] !== '13'
    )
      return refuse(socket, 400, 'Bad Request');
    if (sockets.size >= max) return refuse(socket, 503, 'Service Unavailable');
    const accept = createHash('sha1').update(`${key}${HANDSHAKE_GUID}`).digest('base64');
    socket.write(
      `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`,
    );
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    serve(socket);
  });
  // Upgraded sockets are no longer the HTTP server's: closing it must drop them, or it would wait for them forever.
  const close = server.close.bind(server);
  server.close = ((callback?: (error?: Error) => void) => {
    for (const socket of sockets) socket.destroy();
    return close(callback);
  }) as Server['close'];
  return {
    get size() {
      return sockets.size;
    },
    closeAll: () => {
      for (const socket of sockets) socket.destroy();
    },
  };
}
