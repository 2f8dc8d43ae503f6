#!/usr/bin/env node
// `core up -f`: the 200-service graph of scale.mjs (10 levels of 20 tiny Node HTTP
// servers, process_healthy on 1–3 of the level below, an http_get readiness probe
// every 1 s) written as a plain process-compose file, against the same graph as
// core manifests (`core up -d`), alternating, on the built-in engine. Per run: time
// from spawn to exit of `up -d` (every process healthy), and of `core down`.
// Where a process-compose binary is found (scale.mjs findProcessCompose: PATH,
// CORE_BENCH_PROCESS_COMPOSE, …), the same file also runs under it, in turn with
// the others: `process-compose up -f process-compose.yaml -t=false` on a unix
// socket, from spawn until its API lists every process Ready (as `up -d` waits),
// then `process-compose down` until process-compose has exited. Its line is
// printed beside ours; without a binary it says so.
// Usage: node bench/pc-up.mjs [runs]   (default 1; needs `npm run build`)
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { cleanup, core, FIXTURES, findProcessCompose, fmtMs, graph, median, tempProject, writeGraph } from './scale.mjs';

const LEVELS = 10;
const PER_LEVEL = 20;
const BASE_PORT = 61000; // above the ephemeral range, as scale.mjs puts its ports (see writeGraph there)
const runs = Number(process.argv[2] ?? 1);

/** The graph as a process-compose file, as a user would write it (command through the shell). */
function writePcFile(project) {
  const lines = ['version: "0.5"', 'processes:'];
  graph(LEVELS, PER_LEVEL).forEach((service, i) => {
    const port = BASE_PORT + i;
    lines.push(`  ${service.name}:`, `    command: ${JSON.stringify(`${process.execPath} ${path.join(FIXTURES, 'tiny-http.mjs')} ${port}`)}`);
    if (service.deps.length) {
      lines.push('    depends_on:');
      for (const dep of service.deps) lines.push(`      ${dep}: { condition: process_healthy }`);
    }
    lines.push(
      '    readiness_probe:',
      `      http_get: { host: 127.0.0.1, port: ${port}, path: /health }`,
      '      period_seconds: 1',
      '      timeout_seconds: 1',
      '      failure_threshold: 10',
      '    shutdown: { signal: 15, timeout_seconds: 5 }',
    );
  });
  fs.writeFileSync(path.join(project, 'process-compose.yaml'), `${lines.join('\n')}\n`);
}

const env = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp' };
const SERVICES = LEVELS * PER_LEVEL;
const UP_TIMEOUT_MS = 600_000;

/** GET /processes from process-compose's API on its unix socket: the states, or undefined while it is not answering. */
function pcStates(socketPath) {
  return new Promise((resolve) => {
    const req = http.get({ socketPath, path: '/processes', timeout: 5_000 }, (res) => {
      let body = '';
      res.on('data', (chunk) => (body += chunk));
      res.on('end', () => {
        try {
          resolve(JSON.parse(body).data);
        } catch {
          resolve(undefined);
        }
      });
    });
    req.on('error', () => resolve(undefined));
    req.on('timeout', () => req.destroy());
  });
}

/**
 * The real process-compose on the same file: up (spawn until every process is
 * Running and Ready, polled every 50 ms as `core up -d` polls it) and down
 * (`process-compose down` until process-compose has exited).
 */
async function realProcessCompose(binary, project) {
  const socket = path.join(project, 'pc.sock');
  const flags = ['-U', '-u', socket];
  const start = performance.now();
  const child = spawn(binary, ['up', '-f', 'process-compose.yaml', '-t=false', ...flags, '-L', path.join(project, 'pc.log')], {
    cwd: project,
    env,
    detached: true,
    stdio: 'ignore',
  });
  let exited = false;
  child.once('exit', () => (exited = true));
  try {
    for (;;) {
      if (exited) throw new Error(`process-compose exited before every process was ready (see ${path.join(project, 'pc.log')})`);
      if (performance.now() - start > UP_TIMEOUT_MS) throw new Error(`process-compose: not every process ready after ${UP_TIMEOUT_MS} ms`);
      const states = await pcStates(socket);
      if (states?.length === SERVICES && states.every((s) => s.status === 'Running' && s.is_ready === 'Ready')) break;
      await sleep(50);
    }
    const up = performance.now() - start;
    const downStart = performance.now();
    spawnSync(binary, ['down', ...flags], { cwd: project, env, stdio: 'ignore', timeout: 120_000 });
    while (!exited && performance.now() - downStart < 120_000) await sleep(5);
    return { ms: up, down: performance.now() - downStart };
  } finally {
    // A run that failed midway: SIGTERM makes process-compose stop its processes
    // (cmd/project_runner.go setSignal); SIGKILL to its group only if it hangs.
    if (!exited && child.pid) {
      process.kill(child.pid, 'SIGTERM');
      const until = performance.now() + 30_000;
      while (!exited && performance.now() < until) await sleep(20);
      if (!exited) process.kill(-child.pid, 'SIGKILL');
    }
  }
}

const pc = findProcessCompose();
const kinds = {
  'up -f (process-compose file)': { make: (p) => writePcFile(p), up: ['up', '-f', 'process-compose.yaml', '-d'], env: (p) => ({ ...env, CORE_ROOT: p }) },
  'up (manifests)': {
    make: (p) => writeGraph(p, { levels: LEVELS, perLevel: PER_LEVEL, basePort: BASE_PORT - 30000 }),
    up: ['up', '-d'],
    env: (p) => ({ ...env, CORE_ROOT: p, CORE_PORT_OFFSET: '30000' }),
  },
};
if (pc) kinds[`process-compose v${pc.version} -f`] = { make: (p) => writePcFile(p), real: pc.binary };
const results = Object.fromEntries(Object.keys(kinds).map((k) => [k, { up: [], down: [] }]));
for (let run = 0; run < runs; run++) {
  const order = run % 2 === 0 ? Object.keys(kinds) : Object.keys(kinds).reverse();
  for (const name of order) {
    const kind = kinds[name];
    const project = tempProject('core-bench-pcup-');
    try {
      kind.make(project);
      if (kind.real) {
        const { ms, down } = await realProcessCompose(kind.real, project);
        results[name].up.push(ms);
        results[name].down.push(down);
        continue;
      }
      const up = core(project, kind.env(project), kind.up);
      const down = core(project, kind.env(project), ['down', '--timeout', '120']);
      results[name].up.push(up.ms);
      results[name].down.push(down.ms);
    } finally {
      if (!kind.real) cleanup(project, kind.env(project));
      fs.rmSync(project, { recursive: true, force: true });
    }
  }
}
console.log(`${SERVICES} services, ${LEVELS} levels, ${runs} run(s) each, median; node ${process.version}, ${(await import('node:os')).cpus().length} cores`);
for (const [name, r] of Object.entries(results)) console.log(`${name.padEnd(30)} up -d ${fmtMs(median(r.up)).padStart(9)}   down ${fmtMs(median(r.down)).padStart(8)}`);
if (!pc) console.log('process-compose: not found (put it on PATH or set CORE_BENCH_PROCESS_COMPOSE): not measured');
