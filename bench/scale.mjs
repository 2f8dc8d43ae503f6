#!/usr/bin/env node
// Scale: 200 services in a 10-level dependency graph (20 per level; each service
// of level k waits with process_healthy for 1–3 services of level k-1), each a
// tiny Node HTTP server with an http_get readiness probe every 1 s (the shortest
// period process-compose accepts; both engines get the same file). Per engine,
// alternating in one run: `core up -d` until all healthy (spawn to exit) and the
// CPU it took, the supervisor's (and guardian's) CPU time and RSS over 30 s of
// idling, `core status --json` latency (median of 20), then `core down` (until
// the services are gone, the command exits, everything is gone). The floor: the
// same graph started by this script with no engine.
// The built-in engine's idle CPU is measured in three modes side by side: nothing
// watching (metrics off); the dashboard open (`core dashboard --json`, one
// server-sent-events client on /api/stream for the window); metrics scraped every
// 5 s (a second `core up -d` with CORE_METRICS_ADDR on a free loopback port, GET
// /metrics). A mode whose command this build lacks is skipped with a note.
// Usage: node bench/scale.mjs [runs]   (default 1 per engine; needs `npm run build`)
// process-compose is optional: CORE_BENCH_PROCESS_COMPOSE (a binary), else
// PATH, else this checkout's .dep/, else the per-user cache; without one only
// the built-in engine is measured. Its folder goes first on PATH for `core`.
// Other bench scripts import the graph and the helpers below.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const FIXTURES = path.join(root, 'tests/fixtures/bench');
export const CORE = path.join(root, 'dist/core.js');

// ---------------------------------------------------------------- helpers

export const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
export const fmtMs = (ms) => (ms === undefined ? '-' : `${ms.toFixed(0)} ms`);
export const ratio = (a, b) => (a === undefined || b === undefined || b === 0 ? '-' : `${(a / b).toFixed(2)}x`);

/** A project folder under the temp dir, removed by the caller. */
export function tempProject(prefix) {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

/** Run `core` in `project` (spawn to exit, timed); throws with its stderr on a non-zero exit. */
export function core(project, env, args, { timeoutMs = 600_000, allowFail = false } = {}) {
  const start = performance.now();
  const result = spawnSync(process.execPath, [CORE, ...args], { cwd: project, env, encoding: 'utf8', maxBuffer: 256 << 20, timeout: timeoutMs });
  const ms = performance.now() - start;
  if (result.status !== 0 && !allowFail) {
    const tail = `${result.stderr ?? ''}`.trim().split('\n').slice(-20).join('\n');
    throw new Error(`core ${args.join(' ')} exited ${result.status ?? result.signal}${result.error ? ` (${result.error.message})` : ''}:\n${tail}`);
  }
  return { ms, code: result.status, stdout: result.stdout ?? '', stderr: result.stderr ?? '' };
}

/** The real process-compose, or undefined: see the header for where it is looked for. */
export function findProcessCompose() {
  const explicit = process.env.CORE_BENCH_PROCESS_COMPOSE ?? process.env.CORE_TEST_PROCESS_COMPOSE;
  const cache = process.env.CORE_CACHE_DIR ?? path.join(process.env.XDG_CACHE_HOME ?? path.join(os.homedir(), '.cache'), 'core');
  const arch = { x64: 'amd64', arm64: 'arm64' }[process.arch] ?? process.arch;
  const candidates = explicit
    ? [explicit]
    : [
        ...(process.env.PATH ?? '')
          .split(path.delimiter)
          .filter(Boolean)
          .map((dir) => path.join(dir, 'process-compose')),
        path.join(root, '.dep/process-compose'),
        path.join(cache, `bin/${process.platform}-${arch}/process-compose/1.122.0/process-compose`),
      ];
  for (const candidate of candidates) {
    try {
      const binary = fs.realpathSync(candidate);
      fs.accessSync(binary, fs.constants.X_OK);
      const out = execFileSync(binary, ['version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 10_000 });
      const version = /Version:\s*v?(\d+\.\d+\.\d+)/.exec(out)?.[1];
      if (version) return { binary, version };
    } catch {
      // Not there, not executable, or not process-compose: try the next one.
    }
  }
  return undefined;
}

/** The engines to measure: builtin always, process-compose when found (its folder first on PATH). */
export function enginesFor(baseEnv) {
  const pc = findProcessCompose();
  const engines = [{ name: 'builtin', env: { ...baseEnv } }];
  if (pc) engines.push({ name: 'process-compose', env: { ...baseEnv, PATH: [path.dirname(pc.binary), baseEnv.PATH ?? ''].join(path.delimiter) } });
  const note = pc ? `process-compose v${pc.version} (${pc.binary})` : 'process-compose: not found (set CORE_BENCH_PROCESS_COMPOSE or put it on PATH): built-in engine only';
  return { engines, note };
}

/** Alternate the order of the engines from one run to the next. */
export const inTurn = (engines, run) => (run % 2 === 0 ? engines : [...engines].reverse());

const CLK_TCK = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

/** CPU time (utime + stime, ms), RSS (KiB) and state of a process, or undefined if it is gone. */
export function sample(pid) {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const cpuMs = ((Number(fields[11]) + Number(fields[12])) * 1000) / CLK_TCK;
    const rss = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return { cpuMs, rssKiB: rss === undefined ? 0 : Number(rss), state: fields[0], starttime: fields[19] };
  } catch {
    return undefined;
  }
}

/** CPU time (ms) of this process's children that have been waited for: a spawnSync'd `core` adds its own. */
export function waitedChildrenCpuMs() {
  const stat = fs.readFileSync('/proc/self/stat', 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[13]) + Number(fields[14])) * 1000) / CLK_TCK;
}

/** Alive: present and not a zombie (a zombie holds no port, no file, no CPU). */
export const alive = (pid) => {
  const s = sample(pid);
  return s !== undefined && s.state !== 'Z';
};

export function readState(project) {
  try {
    return JSON.parse(fs.readFileSync(path.join(project, '.core-stack/state.json'), 'utf8'));
  } catch {
    return undefined;
  }
}

/** Every pid that is ours in a running stack: the supervisor, the guardian, each service's group. */
export function stackPids(project) {
  const state = readState(project);
  if (!state) return { supervisor: undefined, guardian: undefined, services: [] };
  const groups = new Set(Object.values(state.processes ?? {}).map((p) => p.pgid));
  const services = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      const pgid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[2]);
      if (groups.has(pgid)) services.push(Number(entry));
    } catch {
      // Gone meanwhile.
    }
  }
  return { supervisor: state.supervisor?.pid, guardian: state.guardian, services };
}

/** Remember a pid with its start time, so a last-resort kill never hits a process that reused it. */
export function remember(seen, ...pids) {
  for (const pid of pids) {
    const starttime = pid ? sample(pid)?.starttime : undefined;
    if (starttime !== undefined) seen.set(pid, starttime);
  }
}

/** Stop whatever runs in `project` (any engine), then SIGKILL any remembered process still alive. */
export function cleanup(project, env, seen = new Map()) {
  if (fs.existsSync(path.join(project, '.core-stack/state.json'))) core(project, env, ['down', '--timeout', '120'], { allowFail: true });
  for (const [pid, starttime] of seen) {
    const now = sample(pid);
    if (!now || now.state === 'Z' || now.starttime !== starttime) continue;
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Gone.
    }
  }
}

/**
 * Run `core down` and time, from its spawn: every service process gone, its
 * exit, and every process of the stack gone (services, supervisor, guardian),
 * polling /proc every ~1 ms.
 */
export async function timeDown(project, env, pids) {
  const own = [pids.supervisor, pids.guardian].filter(Boolean);
  const start = performance.now();
  const down = spawn(process.execPath, [CORE, 'down'], { cwd: project, env, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  down.stderr.on('data', (chunk) => (stderr += chunk));
  let exitMs;
  let code;
  down.once('exit', (c) => {
    exitMs = performance.now() - start;
    code = c;
  });
  let servicesMs;
  let allMs;
  while (allMs === undefined || exitMs === undefined) {
    const now = performance.now() - start;
    if (servicesMs === undefined && !pids.services.some(alive)) servicesMs = now;
    if (servicesMs !== undefined && allMs === undefined && !own.some(alive)) allMs = now;
    if (now > 120_000) throw new Error(`processes still running 120 s after core down (${project})`);
    await sleep(1);
  }
  if (code !== 0) throw new Error(`core down exited ${code}: ${stderr.trim()}`);
  return { services: servicesMs, down: exitMs, all: allMs };
}

// ---------------------------------------------------------------- the graph

/**
 * `levels` × `perLevel` services named `l<k>-s<j>`. Service j of level k > 0
 * depends on 1 + (j mod 3) services of level k-1 (at most perLevel): those at
 * indexes j, j+7, j+14 (mod perLevel), so the choice is fixed and spread out.
 */
export function graph(levels, perLevel) {
  const name = (k, j) => `l${k}-s${String(j).padStart(2, '0')}`;
  const services = [];
  for (let k = 0; k < levels; k++) {
    for (let j = 0; j < perLevel; j++) {
      const count = Math.min(perLevel, 1 + (j % 3));
      const deps = k === 0 ? [] : [...new Set(Array.from({ length: count }, (_, m) => name(k - 1, (j + 7 * m) % perLevel)))];
      services.push({ name: name(k, j), deps });
    }
  }
  return services;
}

/**
 * Write the graph's manifests into `project/services/`; ports basePort, basePort+1,
 * … before the offset. With CORE_PORT_OFFSET=30000 the default lands on 61000 and
 * up, above Linux's ephemeral range (32768–60999): 200 services probed every second
 * leave thousands of probe connections in TIME-WAIT on ephemeral ports, and a
 * service port among them is refused by `core up` ("port … is in use"), rightly.
 */
export function writeGraph(project, { levels, perLevel, basePort = 31000 }) {
  const services = graph(levels, perLevel);
  services.forEach((service, i) => {
    const manifest = {
      name: service.name,
      description: `bench: tiny HTTP server, level ${service.name.slice(1, service.name.indexOf('-'))}`,
      process: {
        command: process.execPath,
        args: [path.join(FIXTURES, 'tiny-http.mjs'), '${port.http}'],
        compose: {
          ...(service.deps.length ? { depends_on: Object.fromEntries(service.deps.map((d) => [d, { condition: 'process_healthy' }])) } : {}),
          // failure_threshold 10: on 2 cores a level of 20 Node start-ups can take a few seconds.
          readiness_probe: { http_get: { url: 'http://${port.http.host}:${port.http}/health' }, period_seconds: 1, timeout_seconds: 1, failure_threshold: 10 },
          shutdown: { signal: 15, timeout_seconds: 5 },
        },
      },
      ports: { http: { port: basePort + i, protocol: 'http' } },
    };
    const dir = path.join(project, 'services', service.name);
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, 'service.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  });
  return services;
}

/**
 * The same graph with no engine: this script spawns each service as soon as its
 * dependencies answer, and polls each one's /health every 10 ms (a new
 * connection each time, as both engines do). What Node start-ups cost on this
 * machine, the floor under `core up -d`.
 */
export async function noEngine(services, { basePort, offset }) {
  const get = (port) =>
    new Promise((resolve) => {
      const request = http.get({ host: '127.0.0.1', port, path: '/health', agent: false, timeout: 1000 }, (response) => {
        response.resume();
        resolve(response.statusCode === 200);
      });
      request.on('error', () => resolve(false));
      request.on('timeout', () => request.destroy());
    });
  const children = [];
  const ready = new Map();
  const start = performance.now();
  try {
    services.forEach((service, i) => {
      const port = basePort + offset + i;
      ready.set(
        service.name,
        (async () => {
          await Promise.all(service.deps.map((d) => ready.get(d)));
          children.push(spawn(process.execPath, [path.join(FIXTURES, 'tiny-http.mjs'), String(port)], { stdio: 'ignore', detached: true }));
          while (!(await get(port))) await sleep(10);
        })(),
      );
    });
    await Promise.all(ready.values());
    return performance.now() - start;
  } finally {
    for (const child of children) {
      try {
        process.kill(-child.pid, 'SIGTERM');
      } catch {
        // Gone.
      }
    }
    while (children.some((child) => alive(child.pid))) await sleep(10);
  }
}

// ---------------------------------------------------------------- the benchmark

// CORE_BENCH_SCALE=<levels>x<per level> and CORE_BENCH_IDLE_S: a smaller, shorter run to try the script.
const [LEVELS, PER_LEVEL] = (process.env.CORE_BENCH_SCALE ?? '10x20').split('x').map(Number);
const IDLE_MS = Number(process.env.CORE_BENCH_IDLE_S ?? 30) * 1000;
const STATUS_RUNS = 20;
const OFFSET = 30000;
const BASE_PORT = 31000;
const SCRAPE_EVERY_MS = 5_000;
/** Goals of the idle supervisor's CPU (share of one core), per mode. */
const GOALS = { idle: 0.03, dashboard: 0.05 };

/** Every process seen in a stack (pid → start time), for the last-resort cleanup. */
const seen = new Map();

/** A free loopback port (asked of the kernel, then released). */
async function freePort() {
  const server = net.createServer();
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Whether this build's CLI has a command (the helpers building metrics and the dashboard may not be merged). */
export function hasCommand(project, env, name) {
  const help = core(project, env, ['--help'], { allowFail: true }).stdout;
  return new RegExp(`^\\s+${name}\\b`, 'm').test(help);
}

/** The supervisor's CPU (ms) over IDLE_MS while `during` runs (it gets a signal that says when to stop). */
async function idleWindow(pid, during = async () => {}) {
  const stop = new AbortController();
  const before = sample(pid);
  const work = during(stop.signal);
  await sleep(IDLE_MS);
  const after = sample(pid);
  stop.abort();
  const detail = await work;
  if (!before || !after) throw new Error(`the supervisor (pid ${pid}) went away while idle`);
  return { cpu: after.cpuMs - before.cpuMs, detail };
}

/** The dashboard open: one SSE client on /api/stream for the window; what it received. */
async function dashboardWindow(project, env, pid) {
  const { EventSource } = await import('eventsource');
  const { url } = JSON.parse(core(project, env, ['dashboard', '--json']).stdout);
  const page = new URL(url);
  const stream = new EventSource(`${page.origin}/api/stream?token=${page.searchParams.get('token')}`);
  const counts = {};
  for (const type of ['hello', 'processes', 'record', 'logs', 'resources']) stream.addEventListener(type, () => (counts[type] = (counts[type] ?? 0) + 1));
  let failed;
  stream.onerror = (event) => (failed ??= event.message ?? 'error');
  try {
    // Connected and past the initial burst (hello, processes, the recent logs) before the window.
    const deadline = Date.now() + 10_000;
    while (!counts.hello && !failed && Date.now() < deadline) await sleep(50);
    if (!counts.hello) throw new Error(`dashboard: no hello on ${page.origin}/api/stream (${failed ?? 'timed out'})`);
    await sleep(1000);
    const { cpu } = await idleWindow(pid);
    return {
      cpu,
      detail: Object.entries(counts)
        .map(([k, v]) => `${k} ${v}`)
        .join(', '),
    };
  } finally {
    stream.close();
  }
}

/** Scrape GET /metrics every SCRAPE_EVERY_MS until told to stop: how many scrapes, series in the last. */
async function scrape(addr, signal) {
  let scrapes = 0;
  let series = 0;
  while (!signal.aborted) {
    const response = await fetch(`http://${addr}/metrics`);
    const text = await response.text();
    if (response.status !== 200 || !text.includes('core_process_up')) throw new Error(`metrics: GET http://${addr}/metrics answered ${response.status}: ${text.slice(0, 200)}`);
    scrapes += 1;
    series = text.split('\n').filter((l) => l && !l.startsWith('#')).length;
    await sleep(SCRAPE_EVERY_MS, undefined, { signal }).catch(() => {});
  }
  return `${scrapes} scrapes of ${series} series`;
}

/** A second stack with CORE_METRICS_ADDR, scraped every 5 s over the window; then down. */
async function metricsWindow(project, engine) {
  const addr = `127.0.0.1:${await freePort()}`;
  const env = { ...engine.env, CORE_METRICS_ADDR: addr };
  core(project, env, ['up', '-d', '--engine', engine.name, '--timeout', '600']);
  const pids = stackPids(project);
  remember(seen, pids.supervisor, pids.guardian, ...pids.services);
  try {
    // One scrape first, not measured: the first loads prom-client into the supervisor (once per run).
    await fetch(`http://${addr}/metrics`).then((r) => r.text());
    await sleep(1000);
    const { cpu, detail } = await idleWindow(pids.supervisor, (signal) => scrape(addr, signal));
    return { cpu, detail: `${detail} at ${addr}` };
  } finally {
    core(project, env, ['down']);
  }
}

async function measure(project, engine, modes) {
  const run = (args, options) => core(project, engine.env, args, options);
  const cliCpu = waitedChildrenCpuMs();
  const up = run(['up', '-d', '--engine', engine.name, '--timeout', '600']);
  const upCliCpu = waitedChildrenCpuMs() - cliCpu;
  const pids = stackPids(project);
  remember(seen, pids.supervisor, pids.guardian, ...pids.services);
  // Everything the supervisor and guardian used since they started, i.e. during up.
  const upCpu = { supervisor: sample(pids.supervisor)?.cpuMs ?? 0, guardian: sample(pids.guardian)?.cpuMs };
  const status = JSON.parse(run(['status', '--json']).stdout);
  const healthy = status.processes.filter((p) => p.status === 'Running' && p.health === 'healthy').length;
  if (healthy !== LEVELS * PER_LEVEL) throw new Error(`${engine.name}: ${healthy} of ${LEVELS * PER_LEVEL} healthy after up -d`);

  // Idle: let the last probes settle, then 30 s of nothing but the 1 s probes.
  await sleep(1000);
  const before = { supervisor: sample(pids.supervisor), guardian: sample(pids.guardian) };
  await sleep(IDLE_MS);
  const after = { supervisor: sample(pids.supervisor), guardian: sample(pids.guardian) };
  if (!before.supervisor || !after.supervisor) throw new Error(`${engine.name}: the supervisor (pid ${pids.supervisor}) went away while idle`);
  // The dashboard once nothing-watching is measured: its server stays up once started.
  const dashboard = engine.name === 'builtin' && modes.dashboard ? await dashboardWindow(project, engine.env, pids.supervisor) : undefined;

  const statusMs = [];
  for (let i = 0; i < STATUS_RUNS; i++) statusMs.push(run(['status', '--json']).ms);

  const down = await timeDown(project, engine.env, pids);
  const metrics = engine.name === 'builtin' && modes.metrics ? await metricsWindow(project, engine) : undefined;
  return {
    up: up.ms,
    upCpu: upCpu.supervisor + (upCpu.guardian ?? 0),
    upCliCpu,
    supervisorCpu: after.supervisor.cpuMs - before.supervisor.cpuMs,
    guardianCpu: before.guardian && after.guardian ? after.guardian.cpuMs - before.guardian.cpuMs : undefined,
    dashboardCpu: dashboard?.cpu,
    dashboardDetail: dashboard?.detail,
    metricsCpu: metrics?.cpu,
    metricsDetail: metrics?.detail,
    rssBefore: before.supervisor.rssKiB / 1024,
    rssAfter: after.supervisor.rssKiB / 1024,
    status: median(statusMs),
    servicesGone: down.services,
    down: down.down,
    gone: down.all,
    processes: pids.services.length,
  };
}

async function main() {
  const runs = Number(process.argv[2] ?? 1);
  const loadStart = os.loadavg()[0];
  const project = tempProject('core-bench-scale-');
  const baseEnv = { ...process.env, CORE_ROOT: project, CORE_PORT_OFFSET: String(OFFSET) };
  delete baseEnv.CORE_ENGINE;
  const { engines, note } = enginesFor(baseEnv);
  const services = writeGraph(project, { levels: LEVELS, perLevel: PER_LEVEL, basePort: BASE_PORT });
  const results = Object.fromEntries(engines.map((e) => [e.name, []]));
  const floor = [];
  const onSignal = () => {
    cleanup(project, engines.at(-1).env, seen);
    fs.rmSync(project, { recursive: true, force: true });
    process.exit(130);
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  let modes = {};
  try {
    core(project, baseEnv, ['validate']);
    modes = { metrics: hasCommand(project, baseEnv, 'metrics'), dashboard: hasCommand(project, baseEnv, 'dashboard') };
    // Warm-up, not measured: one service per engine (also links process-compose into .dep/).
    for (const engine of engines) {
      core(project, engine.env, ['up', '-d', '--engine', engine.name, 'l0-s00']);
      core(project, engine.env, ['down']);
    }
    for (let i = 0; i < runs; i++) {
      process.stderr.write(`run ${i + 1}/${runs}: no engine…\n`);
      floor.push(await noEngine(services, { basePort: BASE_PORT, offset: OFFSET }));
      for (const engine of inTurn(engines, i)) {
        process.stderr.write(`run ${i + 1}/${runs}: ${engine.name}…\n`);
        results[engine.name].push(await measure(project, engine, modes));
      }
    }
  } finally {
    cleanup(project, engines.at(-1).env, seen);
    fs.rmSync(project, { recursive: true, force: true });
  }

  const med = (engine, key) => (results[engine]?.length ? median(results[engine].map((r) => r[key])) : undefined);
  const names = engines.map((e) => e.name);
  const pc = names.includes('process-compose');
  console.log(`scale: ${LEVELS * PER_LEVEL} services (${LEVELS} levels x ${PER_LEVEL}, 1-3 process_healthy deps each), http_get readiness every 1 s`);
  console.log(`runs: ${runs} per engine, alternating; ${os.cpus().length} cores, node ${process.version}; ${note}`);
  console.log(`load average (1 min): ${loadStart.toFixed(2)} at the start, ${os.loadavg()[0].toFixed(2)} at the end`);
  const pct = (v, span) => `${fmtMs(v)} (${((v / span) * 100).toFixed(1)}%)`;
  const rows = [
    ['core up -d, all healthy', 'up', fmtMs],
    ['  CPU: supervisor + guardian', 'upCpu', fmtMs],
    ['  CPU: the `core up -d` command', 'upCliCpu', fmtMs],
    [`idle ${IDLE_MS / 1000} s: supervisor CPU`, 'supervisorCpu', (v) => pct(v, IDLE_MS)],
    [`idle ${IDLE_MS / 1000} s: guardian CPU`, 'guardianCpu', (v) => pct(v, IDLE_MS)],
    ['supervisor RSS before idle', 'rssBefore', (v) => `${v.toFixed(0)} MiB`],
    ['supervisor RSS after idle', 'rssAfter', (v) => `${v.toFixed(0)} MiB`],
    [`core status --json (med of ${STATUS_RUNS})`, 'status', fmtMs],
    ['core down: every service gone', 'servicesGone', fmtMs],
    ['core down: command exited', 'down', fmtMs],
    ['core down: every process gone', 'gone', fmtMs],
  ];
  const width = 34;
  console.log(`${''.padEnd(width)}${names.map((n) => n.padStart(18)).join('')}${pc ? '  builtin/pc'.padStart(13) : ''}`);
  for (const [label, key, format] of rows) {
    const values = names.map((n) => med(n, key));
    const cells = values.map((v) => (v === undefined ? '-' : format(v)).padStart(18)).join('');
    console.log(`${label.padEnd(width)}${cells}${pc ? ratio(values[0], values[1]).padStart(13) : ''}`);
  }
  console.log(`no engine (this script spawns and polls every 10 ms): all healthy in ${fmtMs(median(floor))}`);
  if (!pc) console.log('(process-compose not measured: not found)');

  // The supervisor's idle CPU per mode, side by side with the goals.
  const share = (v) => (v === undefined ? '-' : `${((v / IDLE_MS) * 100).toFixed(1)}%`);
  const goal = (v, g) => (v === undefined || g === undefined ? '' : v / IDLE_MS < g ? 'met' : 'NOT met');
  const modeRows = [
    ['nothing watching (metrics off)', 'supervisorCpu', GOALS.idle, true],
    ['dashboard open (one SSE client)', 'dashboardCpu', GOALS.dashboard, modes.dashboard, 'dashboard: not available in this build'],
    [`metrics scraped every ${SCRAPE_EVERY_MS / 1000} s`, 'metricsCpu', undefined, modes.metrics, 'metrics: not available in this build'],
  ];
  console.log(`\nidle CPU of the supervisor over ${IDLE_MS / 1000} s (share of one core; median of ${runs})`);
  console.log(`${''.padEnd(width)}${names.map((n) => n.padStart(18)).join('')}${'goal'.padStart(10)}`);
  for (const [label, key, g, available, note] of modeRows) {
    const values = names.map((n) => med(n, key));
    const cells = values.map((v, i) => (i === 0 && !available ? 'skipped' : share(v)).padStart(18)).join('');
    const goalCell = g === undefined ? '-' : `< ${(g * 100).toFixed(0)}%`;
    console.log(`${label.padEnd(width)}${cells}${goalCell.padStart(10)}  ${available ? goal(values[0], g) : `(${note})`}`);
  }
  for (const [label, key] of [
    ['dashboard stream received', 'dashboardDetail'],
    ['metrics', 'metricsDetail'],
  ]) {
    const last = results.builtin?.at(-1)?.[key];
    if (last) console.log(`  ${label}: ${last}`);
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) await main();
