#!/usr/bin/env node
// CLI start-up: `core --help` and `core validate` against bare `node -e 0`,
// measured alternately in one run so machine noise hits all three alike.
// Usage: node bench/cli.mjs [runs]   (run `npm run build` first)
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const core = path.join(root, 'dist/core.js');
const runs = Number(process.argv[2] ?? 30);
const cases = {
  'node -e 0': ['-e', '0'],
  'core --help': [core, '--help'],
  'core validate': [core, 'validate'],
  ...(process.argv.includes('--status') ? { 'core status': [core, 'status'] } : {}),
};

const times = Object.fromEntries(Object.keys(cases).map((name) => [name, []]));
for (let i = 0; i < runs + 2; i++) {
  for (const [name, args] of Object.entries(cases)) {
    const start = process.hrtime.bigint();
    const result = spawnSync(process.execPath, args, { cwd: root, stdio: 'ignore', env: { ...process.env, CORE_ROOT: root } });
    const ms = Number(process.hrtime.bigint() - start) / 1e6;
    if (result.status !== 0) throw new Error(`${name} exited ${result.status}`);
    if (i >= 2) times[name].push(ms); // two warm-up rounds
  }
}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
};
const base = median(times['node -e 0']);
console.log(`runs: ${runs} each, alternating; node ${process.version}`);
for (const [name, values] of Object.entries(times)) {
  const m = median(values);
  console.log(`${name.padEnd(16)} median ${m.toFixed(1).padStart(6)} ms   ${(m / base).toFixed(2)}x node -e 0`);
}
