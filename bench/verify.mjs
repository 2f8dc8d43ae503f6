#!/usr/bin/env node
// `core verify` on a healthy default stack (NATS, PocketBase with a superuser,
// Caddy): wall time of the whole command (Node start-up included) and the time
// it reports for its steps, median of N runs after one warm-up.
// Usage: node bench/verify.mjs [runs=5]   (run `npm run build` and `./core deps install`
// first; ports: CORE_PORT_OFFSET, default 30300)
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const core = path.join(root, 'dist/core.js');
const runs = Number(process.argv[2] ?? 5);
const project = fs.mkdtempSync(path.join(os.tmpdir(), 'core-bench-verify-'));
fs.cpSync(path.join(root, 'templates', 'services'), path.join(project, 'services'), { recursive: true });
const env = { ...process.env, CORE_ROOT: project, CORE_PORT_OFFSET: process.env.CORE_PORT_OFFSET ?? '30300', CORE_POCKETBASE_ADMIN_PASSWORD: 'bench-password-123' };
const run = (...args) => execFileSync(process.execPath, [core, ...args], { cwd: project, env, stdio: 'ignore' });
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

const wall = [];
const steps = {};
try {
  run('up', '-d');
  for (let i = 0; i <= runs; i++) {
    const start = process.hrtime.bigint();
    const result = spawnSync(process.execPath, [core, 'verify', '--json'], { cwd: project, env, encoding: 'utf8' });
    const ms = Number(process.hrtime.bigint() - start) / 1e6;
    if (result.status !== 0) throw new Error(`core verify exited ${result.status}: ${result.stdout}${result.stderr}`);
    if (i === 0) continue; // warm-up
    wall.push(ms);
    for (const step of JSON.parse(result.stdout).steps) (steps[step.name] ??= []).push(step.ms);
  }
} finally {
  run('down');
  fs.rmSync(project, { recursive: true, force: true });
}
console.log(`core verify, healthy default stack, median of ${runs} (load ${os.loadavg()[0].toFixed(1)} on ${os.cpus().length} cores)`);
console.log(`  whole command (wall)           ${median(wall).toFixed(0)} ms   (runs: ${wall.map((m) => m.toFixed(0)).join(', ')})`);
for (const [name, values] of Object.entries(steps)) console.log(`  ${name.padEnd(30)} ${median(values)} ms`);
