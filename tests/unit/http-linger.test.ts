/**
 * The lingering close (src/support/http-linger.ts) on a real HTTP server over a
 * unix socket: a request it cannot take is answered though the client is still
 * sending it, and a client that never stops is cut off after LINGER_BYTES.
 */
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { isLingering, linger } from '../../src/support/http-linger.js';

let dir: string;
let socket: string;
let server: http.Server;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'core-linger-'));
  socket = path.join(dir, 's.sock');
  server = http.createServer((_request, response) => response.end('ok'));
  server.on('clientError', (_error, client) => {
    if (isLingering(client)) return;
    client.end('HTTP/1.1 431 Request Header Fields Too Large\r\nconnection: close\r\ncontent-length: 0\r\n\r\n');
    linger(client);
  });
  await new Promise<void>((resolve) => server.listen(socket, resolve));
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  fs.rmSync(dir, { recursive: true, force: true });
});

/** Writes `chunks` one after another as long as the socket takes them; resolves with what it read and how it ended. */
function send(chunks: Iterable<Buffer>): Promise<{ answer: string; ended: string }> {
  return new Promise((resolve) => {
    const client = net.connect({ path: socket });
    let answer = '';
    client.on('data', (chunk) => (answer += chunk.toString('latin1')));
    client.on('error', (error: NodeJS.ErrnoException) => resolve({ answer, ended: error.code ?? 'error' }));
    client.on('close', () => resolve({ answer, ended: 'close' }));
    client.on('connect', () => {
      const it = chunks[Symbol.iterator]();
      const next = () => {
        for (;;) {
          const { value, done } = it.next();
          if (done) return client.end();
          if (!client.write(value)) return client.once('drain', next);
        }
      };
      next();
    });
  });
}

it('answers a header too large while the client still sends it, in small writes, and reads the rest', async () => {
  const url = Buffer.from(`GET /${'x'.repeat(200_000)} HTTP/1.1\r\nHost: x\r\n\r\n`);
  const chunks = Array.from({ length: Math.ceil(url.length / 1000) }, (_, i) => url.subarray(i * 1000, (i + 1) * 1000));
  const { answer, ended } = await send(chunks);
  expect(answer).toMatch(/^HTTP\/1\.1 431 /);
  expect(ended).toBe('close');
});

it('cuts off a client that keeps sending past the bound', async () => {
  const head = Buffer.from(`GET /${'x'.repeat(20_000)}`);
  function* forever() {
    yield head;
    for (let i = 0; i < 10_000; i++) yield Buffer.alloc(64 * 1024, 120);
  }
  const started = Date.now();
  const { answer } = await send(forever());
  expect(answer).toMatch(/^HTTP\/1\.1 431 /);
  // Cut after about a mebibyte (or the linger's second), not after the 640 MiB it would send.
  expect(Date.now() - started).toBeLessThan(5000);
});
