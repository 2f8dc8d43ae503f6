#!/usr/bin/env node
// What 200 http checks a second cost the process that makes them, by way of
// making them: Node's http client with a new connection per check (agent:
// false, what the supervisor did), Node's http client over kept connections (a
// keep-alive Agent), and a GET written on a kept socket with only the status
// line read (what src/engine/http-check.ts does); each with the checks spread
// over the second (a timer per check from its own answer) or on a shared 1 s
// grid (runner.ts onGrid), and a floor with timers only. The servers (200
// listeners) run in a child process, so only the client's CPU is counted.
// Usage: node bench/probe-cost.mjs [seconds per mode]   (default 15)
import { spawn } from 'node:child_process';
import http from 'node:http';
import net from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

const N = 200;
const SECONDS = Number(process.argv[2] ?? 15);
const PERIOD_MS = 1000;
const SERVERS = `
  const http = require('node:http');
  const ports = [];
  let left = ${N};
  for (let i = 0; i < ${N}; i++) {
    const server = http.createServer((req, res) => { res.writeHead(req.url === '/health' ? 200 : 404); res.end(); });
    server.listen(0, '127.0.0.1', () => { ports[i] = server.address().port; if (--left === 0) console.log(JSON.stringify(ports)); });
  }`;

const keepAgent = new http.Agent({ keepAlive: true, maxFreeSockets: 1 });
const REQUEST = (port) => Buffer.from(`GET /health HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n\r\n`, 'latin1');
const kept = new Map();

/** One check by `how`; resolves true on a 200 within 1 s. */
function check(how, port) {
  if (how === 'timers') return Promise.resolve(true);
  return new Promise((resolve) => {
    let done = false;
    let cleanup = () => {};
    const finish = (ok) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      cleanup(ok);
      resolve(ok);
    };
    const timer = setTimeout(() => finish(false), 1000);
    if (how === 'raw') {
      let socket = kept.get(port);
      if (!socket) {
        socket = net.connect({ port, host: '127.0.0.1' }).setNoDelay(true);
        socket.on('error', () => {});
        kept.set(port, socket);
      }
      const onData = (data) => finish(data.toString('latin1', 9, 12) === '200' && data.includes('\r\n0\r\n\r\n'));
      socket.on('data', onData);
      cleanup = (ok) => {
        socket.off('data', onData);
        if (!ok) {
          socket.destroy();
          kept.delete(port);
        }
      };
      socket.write(REQUEST(port));
      return;
    }
    const request = http.get({ host: '127.0.0.1', port, path: '/health', agent: how === 'fresh' ? false : keepAgent });
    request.on('response', (response) => {
      response.resume();
      finish(response.statusCode === 200);
    });
    request.on('error', () => finish(false));
  });
}

async function mode(how, aligned, ports) {
  let stop = false;
  let ok = 0;
  let bad = 0;
  const delay = () => (aligned ? PERIOD_MS - (Date.now() % PERIOD_MS) : PERIOD_MS);
  const loop = (port) =>
    setTimeout(async () => {
      if (stop) return;
      (await check(how, port)) ? ok++ : bad++;
      loop(port);
    }, delay());
  for (const port of ports) setTimeout(() => loop(port), Math.random() * PERIOD_MS);
  await sleep(3000);
  const start = process.cpuUsage();
  const counted = ok;
  await sleep(SECONDS * 1000);
  const used = process.cpuUsage(start);
  stop = true;
  await sleep(1200);
  for (const socket of kept.values()) socket.destroy();
  kept.clear();
  keepAgent.destroy();
  const pct = (us) => `${((us / 1000 / (SECONDS * 1000)) * 100).toFixed(2)}%`;
  return { checks: ok - counted, bad, user: pct(used.user), system: pct(used.system), total: pct(used.user + used.system) };
}

const servers = spawn(process.execPath, ['-e', SERVERS], { stdio: ['ignore', 'pipe', 'inherit'] });
try {
  const ports = JSON.parse(await new Promise((resolve) => servers.stdout.once('data', (d) => resolve(String(d)))));
  console.log(`probe cost: ${N} http checks every ${PERIOD_MS} ms, ${SECONDS} s per mode; client CPU as a share of one core`);
  console.log(`${'mode'.padEnd(58)}${'checks'.padStart(8)}${'user'.padStart(9)}${'system'.padStart(9)}${'total'.padStart(9)}`);
  for (const [how, label] of [
    ['timers', 'timers only (no check)'],
    ['fresh', 'Node http, new connection per check'],
    ['keep', 'Node http, keep-alive Agent'],
    ['raw', 'GET on a kept socket, status line read'],
  ]) {
    for (const aligned of [false, true]) {
      const r = await mode(how, aligned, ports);
      console.log(
        `${`${label}, ${aligned ? 'on a 1 s grid' : 'spread'}`.padEnd(58)}${String(r.checks).padStart(8)}${r.user.padStart(9)}${r.system.padStart(9)}${r.total.padStart(9)}`,
      );
    }
  }
} finally {
  servers.kill();
}
