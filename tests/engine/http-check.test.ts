import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { chunkedEnd, IDLE_MS, readAnswer, REUSE_MS, sendCheck } from '../../src/engine/http-check.js';
import type { ProbeSpec } from '../../src/engine/interfaces.js';
import { realProber } from '../../src/engine/probes.js';
import { onGrid } from '../../src/engine/runner.js';

const never = new AbortController().signal;

/**
 * A real HTTP server on a port of its own, whose listener can stop accepting
 * while the connections it has go on being served (an http.Server's close()
 * would also close them). `mode` says how the next request is answered.
 */
async function server() {
  const state = { mode: 'ok' as 'ok' | 'hang' | 'status' | 'drop', connections: 0, requests: 0, headers: {} as http.IncomingHttpHeaders };
  const sockets = new Set<net.Socket>();
  const app = http.createServer((req, res) => {
    state.requests += 1;
    state.headers = req.headers;
    if (state.mode === 'hang') return;
    if (state.mode === 'drop') {
      state.mode = 'ok';
      req.socket.destroy();
      return;
    }
    res.writeHead(state.mode === 'status' ? 503 : 200);
    res.end();
  });
  const listener = net.createServer((socket) => {
    state.connections += 1;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    app.emit('connection', socket);
  });
  await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
  const port = (listener.address() as AddressInfo).port;
  const spec: ProbeSpec & { kind: 'http' } = { kind: 'http', scheme: 'http', host: '127.0.0.1', port, path: '/health', headers: {}, statusCode: 200, timeoutMs: 300 };
  return {
    state,
    port,
    spec,
    /** Stop accepting; the connections it has are still served (close's callback waits for them: not awaited). */
    stopAccepting: () => {
      listener.close();
    },
    /** Gone: no listener, every connection closed (what a dead process leaves). */
    kill: () => {
      listener.close();
      for (const socket of sockets) socket.destroy();
    },
  };
}

const servers: Awaited<ReturnType<typeof server>>[] = [];
afterEach(() => {
  for (const s of servers.splice(0)) s.kill();
});
async function started() {
  const s = await server();
  servers.push(s);
  return s;
}

describe('http probe over a kept connection', () => {
  it('reuses one connection from check to check', async () => {
    const s = await started();
    for (let i = 0; i < 3; i++) expect(await realProber.check(s.spec, never)).toEqual({ ok: true });
    expect(s.state).toMatchObject({ connections: 1, requests: 3 });
  });

  it('fails at once when the server is gone (the kept connection fails, a new one is refused)', async () => {
    const s = await started();
    expect(await realProber.check(s.spec, never)).toEqual({ ok: true });
    s.kill();
    expect(await realProber.check(s.spec, never)).toEqual({ ok: false, error: `GET http://127.0.0.1:${s.port}/health: connect ECONNREFUSED 127.0.0.1:${s.port}` });
  });

  it('times out when the server hangs on the kept connection, and the next check opens a new one', async () => {
    const s = await started();
    expect(await realProber.check(s.spec, never)).toEqual({ ok: true });
    s.state.mode = 'hang';
    expect(await realProber.check(s.spec, never)).toEqual({ ok: false, error: 'timed out after 300 ms' });
    s.state.mode = 'ok';
    expect(await realProber.check(s.spec, never)).toEqual({ ok: true });
    expect(s.state.connections).toBe(2);
  });

  it('fails on a wrong status over the kept connection, and does not keep that connection', async () => {
    const s = await started();
    expect(await realProber.check(s.spec, never)).toEqual({ ok: true });
    s.state.mode = 'status';
    expect(await realProber.check(s.spec, never)).toEqual({ ok: false, error: `GET http://127.0.0.1:${s.port}/health: status 503, expected 200` });
    s.state.mode = 'ok';
    expect(await realProber.check(s.spec, never)).toEqual({ ok: true });
    expect(s.state).toMatchObject({ connections: 2, requests: 3 });
  });

  it('checks again on a new connection when the kept one fails before any answer', async () => {
    const s = await started();
    expect(await realProber.check(s.spec, never)).toEqual({ ok: true });
    s.state.mode = 'drop'; // the server closes the kept connection on the next request, then answers
    expect(await realProber.check(s.spec, never)).toEqual({ ok: true });
    expect(s.state).toMatchObject({ connections: 2, requests: 3 });
  });

  it(`does not hide a server that stopped accepting: a connection older than ${REUSE_MS} ms is not reused`, async () => {
    const s = await started();
    let clock = Date.now();
    const check = () => new Promise<unknown>((resolve) => sendCheck(s.spec, resolve, () => clock));
    expect(await check()).toEqual({ status: 200 });
    s.stopAccepting();
    // Within REUSE_MS (and IDLE_MS of its last use) the kept connection still answers: it proves the process serves.
    clock += REUSE_MS - IDLE_MS / 2;
    expect(await check()).toEqual({ status: 200 });
    clock += IDLE_MS / 2;
    expect(await check()).toMatchObject({ error: expect.objectContaining({ message: `connect ECONNREFUSED 127.0.0.1:${s.port}` }) });
  });

  it('fails (never throws) on a header or path that cannot be sent, and sends the headers it is given', async () => {
    const s = await started();
    const bad = await realProber.check({ ...s.spec, headers: { 'x-probe': 'a\r\nInjected: 1' } }, never);
    expect(bad).toMatchObject({ ok: false, error: expect.stringContaining('Invalid character in header content ["x-probe"]') });
    expect(await realProber.check({ ...s.spec, path: '/a b' }, never)).toMatchObject({ ok: false, error: expect.stringContaining('unescaped characters') });
    expect(s.state.requests).toBe(0);
    expect(await realProber.check({ ...s.spec, headers: { 'X-Probe': 'yes' } }, never)).toEqual({ ok: true });
    expect(s.state.headers).toEqual({ host: `127.0.0.1:${s.port}`, 'x-probe': 'yes' });
  });

  it(`opens a new connection after ${IDLE_MS} ms unused (before the server's own idle timeout closes it)`, async () => {
    const s = await started();
    let clock = Date.now();
    const check = () => new Promise<unknown>((resolve) => sendCheck(s.spec, resolve, () => clock));
    expect(await check()).toEqual({ status: 200 });
    clock += IDLE_MS - 1;
    expect(await check()).toEqual({ status: 200 });
    expect(s.state.connections).toBe(1);
    clock += IDLE_MS;
    expect(await check()).toEqual({ status: 200 });
    expect(s.state.connections).toBe(2);
  });
});

describe('https probe over a kept connection', () => {
  it('accepts a self-signed certificate and reuses one TLS connection', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'probe-tls-'));
    try {
      const [key, cert] = [path.join(dir, 'key.pem'), path.join(dir, 'cert.pem')];
      execFileSync(
        'openssl',
        ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=localhost'],
        { stdio: 'ignore' },
      );
      let connections = 0;
      const server = https.createServer({ key: fs.readFileSync(key), cert: fs.readFileSync(cert) }, (_req, res) => {
        res.writeHead(200, { 'content-length': '2' });
        res.end('ok');
      });
      server.on('secureConnection', () => (connections += 1));
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      const port = (server.address() as AddressInfo).port;
      const spec: ProbeSpec = { kind: 'http', scheme: 'https', host: '127.0.0.1', port, path: '/', headers: {}, statusCode: 200, timeoutMs: 2000 };
      for (let i = 0; i < 3; i++) expect(await realProber.check(spec, never)).toEqual({ ok: true });
      expect(connections).toBe(1);
      server.closeAllConnections();
      server.close();
      expect(await realProber.check(spec, never)).toMatchObject({ ok: false, error: expect.stringContaining('ECONNREFUSED') });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('reading an answer', () => {
  const answer = (text: string) => readAnswer(Buffer.from(text, 'latin1'));

  it('takes the status once the head is in, and keeps the connection only when the end is certain', () => {
    expect(answer('HTTP/1.1 200 OK\r\nContent-Le')).toBeUndefined();
    expect(answer('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok')).toEqual({ status: 200, reusable: true });
    expect(answer('HTTP/1.1 204\r\n\r\n')).toEqual({ status: 204, reusable: false });
    expect(answer('HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nok')).toEqual({ status: 200, reusable: false });
    expect(answer('HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nok')).toEqual({ status: 200, reusable: false });
    expect(answer('HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 2\r\n\r\nok')).toEqual({ status: 200, reusable: false });
    expect(answer('HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 0\r\n\r\n')).toEqual({ status: 200, reusable: false });
    expect(answer('HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n')).toEqual({ status: 200, reusable: false });
    expect(answer('HTTP/1.1 503 Service Unavailable\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n')).toEqual({ status: 503, reusable: true });
    expect(answer('SSH-2.0-OpenSSH_9.2\r\n\r\n')).toBeInstanceOf(Error);
  });

  it('finds the end of a chunked body only when all of it is there, without trailers', () => {
    const end = (text: string) => chunkedEnd(Buffer.from(text, 'latin1'), 0);
    expect(end('0\r\n\r\n')).toBe(5);
    expect(end('2\r\nok\r\na;x=1\r\n0123456789\r\n0\r\n\r\n')).toBe(31);
    expect(end('2\r\nok\r\n')).toBe(-1);
    expect(end('2\r\nok\r\n0\r\nX-Trailer: 1\r\n\r\n')).toBe(-1);
    expect(end('zz\r\n')).toBe(-1);
  });
});

describe('the periodic cadence', () => {
  it('fires on the next multiple of the period, skipping one closer than the slack', () => {
    expect(onGrid(10_250, 1000)).toBe(750);
    expect(onGrid(10_000, 1000)).toBe(1000);
    expect(onGrid(10_990, 1000)).toBe(1010);
    expect(onGrid(10_940, 1000)).toBe(60);
    expect(onGrid(10_005, 30)).toBe(15);
    expect(onGrid(10_048, 30)).toBe(32);
  });
});
