#!/usr/bin/env node
// Start-up: each service's own time-to-ready (its binary started alone, polled
// every 2 ms) beside `core up -d`'s time-to-all-healthy, alternating in one run.
// The critical path is nats + pocketbase (its superuser hook included) + caddy,
// as the dependency graph orders them; overhead = core up -d - critical path.
// Usage: node bench/startup.mjs [runs]   (needs `npm run build` and `./core deps install`)
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const runs = Number(process.argv[2] ?? 5);
const project = fs.mkdtempSync(path.join(os.tmpdir(), 'core-bench-'));
fs.cpSync(path.join(root, 'templates', 'services'), path.join(project, 'services'), { recursive: true });
// Ports: CORE_PORT_OFFSET from the environment (several stacks share a machine), else 30000.
const OFFSET = Number(process.env.CORE_PORT_OFFSET ?? 30000);
const env = { ...process.env, CORE_ROOT: project, CORE_PORT_OFFSET: String(OFFSET), CORE_POCKETBASE_ADMIN_PASSWORD: 'bench-password-123' };
const core = (...args) => execFileSync(process.execPath, [path.join(root, 'dist/core.js'), ...args], { cwd: project, env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });

core('generate');
core('deps', 'install');
const argv = (svc) => JSON.parse(core(svc, 'command', '--json')).argv;

const get = (port, pathname) =>
  new Promise((resolve) => {
    const req = http.get({ host: '127.0.0.1', port, path: pathname, agent: false, timeout: 500 }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('error', () => resolve(false));
    req.on('timeout', () => req.destroy());
  });

async function untilReady(port, pathname) {
  while (!(await get(port, pathname))) await sleep(2);
}

/** Spawn argv, poll until ready, return { ms, child }. */
async function solo(args, port, pathname) {
  const start = performance.now();
  const child = spawn(args[0], args.slice(1), { cwd: project, stdio: 'ignore', env });
  await untilReady(port, pathname);
  return { ms: performance.now() - start, child };
}

async function stop(child, signal = 'SIGTERM') {
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill(signal);
  await exited;
}

const results = { nats: [], pocketbase: [], caddy: [], path: [], core: [], node: [] };
const pb = argv('pocketbase');
fs.mkdirSync(path.join(project, '.data/caddy'), { recursive: true });
for (let i = 0; i < runs + 1; i++) {
  // Solo, one after the other.
  const nats = await solo(argv('nats'), 8222 + OFFSET, '/healthz?js-enabled-only=true');
  await stop(nats.child, 'SIGINT');
  const pocketbase = await solo(pb, 8090 + OFFSET, '/api/health');
  const caddy = await solo(argv('caddy'), 2015 + OFFSET, '/api/health');
  await stop(caddy.child);
  await stop(pocketbase.child);

  // A bare Node start-up, the unit of the goal.
  const n = performance.now();
  execFileSync(process.execPath, ['-e', '0']);
  const bare = performance.now() - n;

  // core up -d, from spawn to exit.
  const t = performance.now();
  core('up', '-d');
  const up = performance.now() - t;
  core('down');
  if (i === 0) continue; // warm-up
  const critical = nats.ms + pocketbase.ms + caddy.ms;
  results.nats.push(nats.ms);
  results.pocketbase.push(pocketbase.ms);
  results.caddy.push(caddy.ms);
  results.path.push(critical);
  results.core.push(up);
  results.node.push(bare);
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const fmt = (ms) => `${ms.toFixed(0).padStart(6)} ms`;
console.log(`runs: ${runs} (after one warm-up), ${os.cpus().length} cores, node ${process.version}`);
console.log(`nats alone                  ${fmt(median(results.nats))}`);
console.log(`pocketbase alone (+ hook)   ${fmt(median(results.pocketbase))}`);
console.log(`caddy alone (via proxy)     ${fmt(median(results.caddy))}`);
console.log(`critical path               ${fmt(median(results.path))}   nats + pocketbase + caddy`);
console.log(`core up -d                  ${fmt(median(results.core))}   spawn to exit, all healthy`);
const overheads = results.core.map((v, i) => v - results.path[i]);
const node = median(results.node);
console.log(`node -e 0                   ${fmt(node)}   bare Node start-up`);
console.log(`overhead                    ${fmt(median(overheads))}   = ${(median(overheads) / node).toFixed(1)} bare Node start-ups (goal <= 2.5)`);
console.log(`load average (1 min): ${os.loadavg()[0].toFixed(2)} at the end`);
fs.rmSync(project, { recursive: true, force: true });
