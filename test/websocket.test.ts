// authentik's web interfaces open /ws/client/ (authentik/root/messages/consumer.py): the mock accepts it and keeps it
// open (RFC 6455), answering pings and closes. Driven with a raw HTTP upgrade on loopback (Node 20 has no WebSocket
// client without a flag); Chromium opens one in login-page.test.ts.
import { createHash, randomBytes } from 'node:crypto';
import { request } from 'node:http';
import type { Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMock, type RunningMock } from '../src/adapters/vitest.js';
import { referenceDocument } from './support/contracts.js';

let running: RunningMock;

beforeAll(async () => {
  running = await startMock({ contract: referenceDocument(), recordsPerEntity: 0 });
});
afterAll(() => running?.close());

interface Upgraded {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  socket?: Socket;
  key: string;
}

function upgrade(path: string, headers: Record<string, string> = {}): Promise<Upgraded> {
  const key = randomBytes(16).toString('base64');
  const { port } = new URL(running.origin);
  return new Promise((resolve, reject) => {
    const req = request({
      host: '127.0.0.1',
      port,
      path,
      headers: { connection: 'Upgrade', upgrade: 'websocket', 'sec-websocket-key': key, 'sec-websocket-version': '13', ...headers },
    });
    req.on('upgrade', (res, socket) => resolve({ status: res.statusCode ?? 0, headers: res.headers, socket: socket as Socket, key }));
    req.on('response', (res) => {
      res.resume();
      resolve({ status: res.statusCode ?? 0, headers: res.headers, key });
    });
    req.on('error', reject);
    req.setTimeout(5000, () => req.destroy(new Error('no answer to the upgrade')));
    req.end();
  });
}

/** A client frame: FIN, the opcode, masked (clients must mask). */
function clientFrame(opcode: number, payload: Buffer): Buffer {
  const mask = randomBytes(4);
  const masked = Buffer.from(payload.map((byte, i) => byte ^ mask[i % 4]!));
  return Buffer.concat([Buffer.from([0x80 | opcode, 0x80 | payload.length]), mask, masked]);
}

function nextData(socket: Socket): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no frame within 5 s')), 5000);
    socket.once('data', (data: Buffer) => {
      clearTimeout(timer);
      resolve(data);
    });
  });
}

describe('/ws/client/', () => {
  it('accepts the upgrade with RFC 6455’s answer, stays open, answers a ping and a close', async () => {
    const { status, headers, socket, key } = await upgrade('/ws/client/');
    expect(status).toBe(101);
    expect(headers['sec-websocket-accept']).toBe(createHash('sha1').update(`${key}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`).digest('base64'));
    let closed = false;
    socket!.on('close', () => (closed = true));
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(closed).toBe(false); // nothing is sent, nothing closes it
    socket!.write(clientFrame(0x9, Buffer.from('ping?')));
    expect([...(await nextData(socket!))]).toEqual([0x8a, 5, ...Buffer.from('ping?')]); // a pong with the same payload
    const status1000 = Buffer.from([0x03, 0xe8]);
    socket!.write(clientFrame(0x8, status1000));
    expect([...(await nextData(socket!))]).toEqual([0x88, 2, 0x03, 0xe8]);
    socket!.destroy();
  });

  it('refuses other paths (404) and requests that are not a websocket handshake (400)', async () => {
    expect((await upgrade('/ws/other/')).status).toBe(404);
    expect((await upgrade('/ws/client/', { 'sec-websocket-version': '8' })).status).toBe(400);
  });

  it('does not keep the server from closing', async () => {
    const local = await startMock({ contract: referenceDocument(), recordsPerEntity: 0 });
    const previous = running;
    running = local;
    const { socket } = await upgrade('/ws/client/');
    running = previous;
    const closedSocket = new Promise((resolve) => socket!.once('close', resolve));
    await local.close();
    await closedSocket;
  });
});
