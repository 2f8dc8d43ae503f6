#!/usr/bin/env node
// Start-up, engine against engine: `core up -d` until the default stack is
// healthy, built-in vs process-compose on the same generated file, alternating
// in one run. Two probe settings: process-compose's fastest legal ones
// (initial delay 0, period 1 s) and the original design's (initial delay 10 s,
// period 5 s). Goal: built-in <= 0.25x process-compose at its fastest.
// Usage: node bench/engines.mjs [runs]   (needs `npm run build`, `./core deps install`,
// and a process-compose on PATH or in CORE_TEST_PROCESS_COMPOSE)
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const runs = Number(process.argv[2] ?? 5);
const pcDir = process.env.CORE_TEST_PROCESS_COMPOSE ? path.dirname(process.env.CORE_TEST_PROCESS_COMPOSE) : '';
const PATH = [pcDir, process.env.PATH].filter(Boolean).join(':');

function project(probe, offset) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'core-bench-engines-'));
  fs.cpSync(path.join(root, 'templates', 'services'), path.join(dir, 'services'), { recursive: true });
  for (const name of ['nats', 'pocketbase', 'caddy']) {
    const file = path.join(dir, 'services', name, 'service.json');
    const manifest = JSON.parse(fs.readFileSync(file, 'utf8'));
    Object.assign(manifest.process.compose.readiness_probe, probe);
    fs.writeFileSync(file, JSON.stringify(manifest, null, 2));
  }
  const env = { ...process.env, PATH, CORE_ROOT: dir, CORE_PORT_OFFSET: String(offset), CORE_POCKETBASE_ADMIN_PASSWORD: 'bench-password-123' };
  const core = (...args) => execFileSync(process.execPath, [path.join(root, 'dist/core.js'), ...args], { cwd: dir, env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  return { dir, core };
}

function timeUp({ core }, engine) {
  const start = performance.now();
  core('up', '-d', '--engine', engine, '--timeout', '120');
  const ms = performance.now() - start;
  core('down');
  return ms;
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const fast = project({ initial_delay_seconds: 0, period_seconds: 1 }, 32000);
const original = project({ initial_delay_seconds: 10, period_seconds: 5 }, 33000);
try {
  fast.core('deps', 'install');
  original.core('deps', 'install');
  // Warm-up: first PocketBase start migrates its fresh database.
  timeUp(fast, 'builtin');
  timeUp(original, 'builtin');
  const times = { builtin: [], 'process-compose': [] };
  for (let i = 0; i < runs; i++) for (const engine of Object.keys(times)) times[engine].push(timeUp(fast, engine));
  const slow = { builtin: timeUp(original, 'builtin'), 'process-compose': timeUp(original, 'process-compose') };

  const b = median(times.builtin);
  const p = median(times['process-compose']);
  console.log(`runs: ${runs} per engine, alternating, after a warm-up; ${os.cpus().length} cores, node ${process.version}`);
  console.log(`probe settings                         builtin   process-compose   ratio`);
  console.log(`fastest legal (delay 0 s, period 1 s) ${b.toFixed(0).padStart(7)} ms ${p.toFixed(0).padStart(10)} ms   ${(b / p).toFixed(2)}x   (goal <= 0.25x)`);
  console.log(
    `original design (delay 10 s, period 5 s) ${slow.builtin.toFixed(0).padStart(4)} ms ${slow['process-compose'].toFixed(0).padStart(10)} ms   (one run each: both engines honour an initial delay)`,
  );
  console.log(
    `built-in as shipped vs the original design on process-compose: ${b.toFixed(0)} ms vs ${slow['process-compose'].toFixed(0)} ms = ${(b / slow['process-compose']).toFixed(3)}x`,
  );
} finally {
  for (const p of [fast, original]) {
    try {
      p.core('down');
    } catch {
      // already down
    }
    fs.rmSync(p.dir, { recursive: true, force: true });
  }
}
