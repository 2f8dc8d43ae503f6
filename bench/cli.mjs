#!/usr/bin/env node
// CLI start-up: `core --help`, `core validate` and `core status` against bare
// `node -e 0`, measured alternately in one run so machine noise hits them alike.
// Runs in a copy of services/ in a temporary folder. `validate` is measured twice:
// with the manifest cache a `core generate` or `core up` leaves behind, and cold
// (cache removed before each run: what the first validate after an edit costs).
// With --status, a stack is started (`core up -d`) and `core status` measured
// against it too.
// Usage: node bench/cli.mjs [runs] [--status]   (run `npm run build` first;
// --status needs `./core deps install`; ports: CORE_PORT_OFFSET, default 30000)
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const core = path.join(root, 'dist/core.js');
const runs = Number(process.argv.find((arg) => /^\d+$/.test(arg)) ?? 30);
const withStack = process.argv.includes('--status');
const project = fs.mkdtempSync(path.join(os.tmpdir(), 'core-bench-cli-'));
fs.cpSync(path.join(root, 'templates', 'services'), path.join(project, 'services'), { recursive: true });
const env = { ...process.env, CORE_ROOT: project, CORE_PORT_OFFSET: process.env.CORE_PORT_OFFSET ?? '30000', CORE_POCKETBASE_ADMIN_PASSWORD: 'bench-password-123' };
const run = (...args) => execFileSync(process.execPath, [core, ...args], { cwd: project, env, stdio: 'ignore' });
run('generate'); // leaves the manifest cache, as `core up` does
const cacheFile = path.join(project, '.core-stack/manifests.json');
const cached = fs.existsSync(cacheFile) ? fs.readFileSync(cacheFile) : undefined; // builds before the cache was shared: none

const cases = {
  'node -e 0': { args: ['-e', '0'] },
  'core --help': { args: [core, '--help'] },
  'core validate': { args: [core, 'validate'] },
  'core validate (cold)': { args: [core, 'validate'], before: () => fs.rmSync(cacheFile, { force: true }), after: () => cached && fs.writeFileSync(cacheFile, cached) },
  'core status': { args: [core, 'status'], label: 'core status (not running)' },
};

function measure(cases, times) {
  for (const [name, { args, before, after }] of Object.entries(cases)) {
    before?.();
    const start = process.hrtime.bigint();
    const result = spawnSync(process.execPath, args, { cwd: project, stdio: 'ignore', env });
    const ms = Number(process.hrtime.bigint() - start) / 1e6;
    after?.();
    if (result.status !== 0) throw new Error(`${name} exited ${result.status}`);
    (times[name] ??= []).push(ms);
  }
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const times = {};
const load = [os.loadavg()[0]];
try {
  for (let i = 0; i < runs + 2; i++) measure(cases, i >= 2 ? times : {}); // two warm-up rounds
  if (withStack) {
    run('up', '-d');
    const running = { 'node -e 0 ': { args: ['-e', '0'] }, 'core status (running)': { args: [core, 'status'] } };
    try {
      for (let i = 0; i < runs + 2; i++) measure(running, i >= 2 ? times : {});
    } finally {
      run('down');
    }
  }
} finally {
  fs.rmSync(project, { recursive: true, force: true });
}
load.push(os.loadavg()[0]);

console.log(`runs: ${runs} each, alternating, after two warm-up rounds; ${os.cpus().length} cores, node ${process.version}`);
console.log(`load average (1 min): ${load[0].toFixed(2)} at the start, ${load[1].toFixed(2)} at the end`);
let base;
for (const [name, values] of Object.entries(times)) {
  const m = median(values);
  if (name.startsWith('node -e 0')) base = m;
  const label = (cases[name]?.label ?? name.trim()).padEnd(26);
  console.log(`${label} median ${m.toFixed(1).padStart(6)} ms   ${(m / base).toFixed(2)}x node -e 0`);
}
