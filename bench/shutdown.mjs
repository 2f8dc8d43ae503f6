#!/usr/bin/env node
// Shutdown: `core down` on a running stack, per engine, alternating in one run:
// the default stack (nats, pocketbase, caddy) and the 20-service variant of
// bench/scale.mjs's graph (the same 10 levels, 2 services each, so ordered
// shutdown still has 10 waves). Three times from the spawn of `core down`:
// every service process gone, `core down` exited, and every process of the
// stack gone (services, supervisor, guardian), polled every ~1 ms in /proc.
// Usage: node bench/shutdown.mjs [runs]   (default 5, after one warm-up; needs
// `npm run build` and `./core deps install`)
// process-compose: as in bench/scale.mjs (CORE_BENCH_PROCESS_COMPOSE, PATH, .dep/, cache).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { cleanup, core, enginesFor, fmtMs, inTurn, median, ratio, remember, root, stackPids, tempProject, timeDown, writeGraph } from './scale.mjs';

const runs = Number(process.argv[2] ?? 5);
const loadStart = os.loadavg()[0];
const OFFSET = 30000;
// The default stack's ports, moved above the ephemeral range (32768–60999) so no
// probe connection left in TIME-WAIT by an earlier benchmark can hold one of them.
const DEFAULT_PORTS = {
  CORE_PORT_NATS_CLIENT: '61422',
  CORE_PORT_NATS_MONITOR: '61822',
  CORE_PORT_POCKETBASE_HTTP: '61090',
  CORE_PORT_CADDY_HTTP: '61015',
  CORE_PORT_CADDY_ADMIN: '61019',
};

function variant(label, prefix, fill, extraEnv = {}) {
  const project = tempProject(prefix);
  fill(project);
  const env = { ...process.env, CORE_ROOT: project, CORE_PORT_OFFSET: String(OFFSET), ...extraEnv };
  delete env.CORE_ENGINE;
  return { label, project, env, ...enginesFor(env) };
}

const variants = [
  variant(
    'default stack (nats, pocketbase, caddy)',
    'core-bench-shutdown-default-',
    (project) => fs.cpSync(path.join(root, 'templates', 'services'), path.join(project, 'services'), { recursive: true }),
    {
      ...DEFAULT_PORTS,
      CORE_POCKETBASE_ADMIN_PASSWORD: 'bench-password-123',
    },
  ),
  // 31300 + 30000: 61300-61319, above the ephemeral range too.
  variant('scale graph, 20 services (10 levels x 2)', 'core-bench-shutdown-graph-', (project) => writeGraph(project, { levels: 10, perLevel: 2, basePort: 31300 })),
];

/** Every process seen in a stack (pid → start time), for the last-resort cleanup. */
const seen = new Map();

/** up -d, then time `core down` against /proc. */
async function measure(v, engine) {
  core(v.project, engine.env, ['up', '-d', '--engine', engine.name, '--timeout', '300']);
  const pids = stackPids(v.project);
  remember(seen, pids.supervisor, pids.guardian, ...pids.services);
  if (pids.services.length === 0) throw new Error(`${v.label}, ${engine.name}: no service process recorded`);
  return { ...(await timeDown(v.project, engine.env, pids)), count: pids.services.length };
}

const results = new Map(variants.map((v) => [v, Object.fromEntries(v.engines.map((e) => [e.name, []]))]));
const stopAll = () => {
  for (const v of variants) cleanup(v.project, v.env, seen);
};
const onSignal = () => {
  stopAll();
  for (const v of variants) fs.rmSync(v.project, { recursive: true, force: true });
  process.exit(130);
};
process.once('SIGINT', onSignal);
process.once('SIGTERM', onSignal);
try {
  core(variants[0].project, variants[0].env, ['deps', 'install']);
  for (let i = 0; i < runs + 1; i++) {
    for (const v of variants) {
      for (const engine of inTurn(v.engines, i)) {
        process.stderr.write(`${i === 0 ? 'warm-up' : `run ${i}/${runs}`}: ${v.label}, ${engine.name}…\n`);
        const result = await measure(v, engine);
        if (i > 0) results.get(v)[engine.name].push(result);
      }
    }
  }
} finally {
  stopAll();
  for (const v of variants) fs.rmSync(v.project, { recursive: true, force: true });
}

const names = variants[0].engines.map((e) => e.name);
const pc = names.includes('process-compose');
console.log(`shutdown: core down per engine, median of ${runs} (after one warm-up), alternating; ${os.cpus().length} cores, node ${process.version}`);
console.log(variants[0].note);
console.log(`load average (1 min): ${loadStart.toFixed(2)} at the start, ${os.loadavg()[0].toFixed(2)} at the end`);
const width = 47;
console.log(`${''.padEnd(width)}${names.map((n) => n.padStart(18)).join('')}${pc ? '  builtin/pc'.padStart(13) : ''}`);
for (const v of variants) {
  const byEngine = results.get(v);
  console.log(`${v.label}, ${byEngine[names[0]][0]?.count ?? '?'} service processes:`);
  for (const [label, key] of [
    ['  every service process gone', 'services'],
    ['  core down exited', 'down'],
    ['  every process gone (+ supervisor, guardian)', 'all'],
  ]) {
    const values = names.map((n) => median(byEngine[n].map((r) => r[key])));
    console.log(`${label.padEnd(width)}${values.map((m) => fmtMs(m).padStart(18)).join('')}${pc ? ratio(values[0], values[1]).padStart(13) : ''}`);
  }
}
if (!pc) console.log('(process-compose not measured: not found)');
