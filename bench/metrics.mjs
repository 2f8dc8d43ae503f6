#!/usr/bin/env node
// What metrics cost the supervisor, on a stack of N small processes (`sleep`,
// no ports), in two runs of the stack in the foreground (`core up`):
//  1. under a module hook that logs every module the supervisor loads
//     (bench/load-log.mjs): which it has loaded before anyone asks for metrics
//     (prom-client must not be among them), its idle CPU, and what the first
//     scrape loads;
//  2. without the hook (it costs CPU of its own): the first scrape, the median
//     wall time and the supervisor's CPU per scrape of GET /metrics, and a
//     one-off `core status` with and without a recent sample.
// --off: CORE_METRICS_ADDR unset; the scrapes go through `core metrics` (the control socket).
// CORE_BENCH_CORE: another build's dist/core.js (an A/B of the idle figure; with --off).
// Usage: node bench/metrics.mjs [processes=20] [scrapes=50] [--off] [--idle=10]   (npm run build first)
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const core = process.env.CORE_BENCH_CORE ?? path.join(root, 'dist/core.js');
const numbers = process.argv.slice(2).filter((arg) => /^\d+$/.test(arg));
const count = Number(numbers[0] ?? 20);
const scrapes = Number(numbers[1] ?? 50);
const off = process.argv.includes('--off');
const idleSeconds = Number(process.argv.find((arg) => arg.startsWith('--idle='))?.slice(7) ?? 10);

const project = fs.mkdtempSync(path.join(os.tmpdir(), 'core-bench-metrics-'));
const sleepBin = execFileSync('sh', ['-c', 'command -v sleep'], { encoding: 'utf8' }).trim();
for (let i = 0; i < count; i++) {
  const name = `p-${i}`;
  fs.mkdirSync(path.join(project, 'services', name), { recursive: true });
  fs.writeFileSync(path.join(project, 'services', name, 'service.json'), JSON.stringify({ name, process: { command: sleepBin, args: ['100000'] } }));
}
const port = await new Promise((resolve) => {
  const server = net.createServer().listen({ port: 0, host: '127.0.0.1' }, () => {
    const { port } = server.address();
    server.close(() => resolve(port));
  });
});
const loads = path.join(project, 'loaded.txt');
const { CORE_METRICS_ADDR: _, ...inherited } = process.env;
const env = { ...inherited, CORE_ROOT: project, CORE_BENCH_LOAD_LOG: loads, ...(off ? {} : { CORE_METRICS_ADDR: `127.0.0.1:${port}` }) };
const ticks = (pid) => {
  const fields = fs.readFileSync(`/proc/${pid}/stat`, 'latin1').split(') ')[1].split(' ');
  return Number(fields[11]) + Number(fields[12]);
};
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const scrape = async () => {
  if (off) return execFileSync(process.execPath, [core, 'metrics'], { cwd: project, env, encoding: 'utf8' });
  const response = await fetch(`http://127.0.0.1:${port}/metrics`);
  if (response.status !== 200) throw new Error(`GET /metrics: ${response.status}`);
  return response.text();
};

/** `core up` in the foreground, once every process runs; `run(pid)` then; stopped after. */
async function withStack(hook, run) {
  const supervisor = spawn(process.execPath, [...(hook ? ['--import', path.join(root, 'bench/load-log.mjs')] : []), core, 'up'], {
    cwd: project,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  for (const stream of [supervisor.stdout, supervisor.stderr]) stream.setEncoding('utf8').on('data', (chunk) => (out += chunk));
  try {
    for (let i = 0; !/stack up/.test(out); i++) {
      if (i > 600 || supervisor.exitCode !== null) throw new Error(`the stack did not come up:\n${out}`);
      await sleep(50);
    }
    await sleep(2000); // let start-up settle
    await run(supervisor.pid);
  } finally {
    supervisor.kill('SIGTERM');
    await new Promise((resolve) => supervisor.once('exit', resolve));
  }
}

try {
  await withStack(true, async (pid) => {
    const loaded = () =>
      fs
        .readFileSync(loads, 'utf8')
        .split('\n')
        .filter((line) => line.startsWith(`${pid} `))
        .map((line) => line.slice(line.indexOf(' ') + 1));
    const before = loaded();
    if (process.env.CORE_BENCH_MODULES) fs.writeFileSync(process.env.CORE_BENCH_MODULES, before.map((url) => path.basename(url)).join('\n'));
    const promBefore = before.filter((url) => /prom-client|\/metrics-[A-Z0-9]+\.js$/.test(url));
    const idleFrom = ticks(pid);
    await sleep(idleSeconds * 1000);
    const idleCpu = (ticks(pid) - idleFrom) / 100 / idleSeconds;
    console.log(
      `stack: ${count} processes; ${os.cpus().length} cores, load ${os.loadavg()[0].toFixed(2)}; ${fs.readdirSync('/proc').filter((n) => /^\d+$/.test(n)).length} processes on the machine`,
    );
    console.log(`before any scrape: ${before.length} modules loaded, prom-client/metrics among them: ${promBefore.length ? promBefore.join(', ') : 'none'}`);
    console.log(`idle CPU before any scrape (${off ? 'CORE_METRICS_ADDR unset' : 'CORE_METRICS_ADDR listening'}): ${(idleCpu * 100).toFixed(2)} % of a core over ${idleSeconds} s`);
    if (process.env.CORE_BENCH_CORE) return; // another build: no metrics to scrape
    await scrape();
    console.log(
      `the first scrape loaded: ${loaded()
        .filter((url) => !before.includes(url))
        .map((url) => path.basename(url))
        .join(', ')}`,
    );
  });
  if (process.env.CORE_BENCH_CORE) process.exit(0);

  await withStack(false, async (pid) => {
    let t = performance.now();
    let c = ticks(pid);
    const text = await scrape();
    const first = { ms: performance.now() - t, cpuMs: (ticks(pid) - c) * 10 };
    const wall = [];
    c = ticks(pid);
    for (let i = 0; i < scrapes; i++) {
      t = performance.now();
      await scrape();
      wall.push(performance.now() - t);
    }
    const cpuPerScrape = ((ticks(pid) - c) * 10) / scrapes;
    const status = [];
    for (let i = 0; i < 10; i++) {
      await sleep(i === 0 ? 16_000 : 0); // the first one with no recent sample (it waits for a CPU window)
      t = performance.now();
      execFileSync(process.execPath, [core, 'status'], { cwd: project, env, stdio: 'ignore' });
      status.push(performance.now() - t);
    }
    console.log(`first scrape (prom-client loaded): ${first.ms.toFixed(1)} ms, ${first.cpuMs} ms supervisor CPU`);
    console.log(
      `scrape${off ? ' through `core metrics`' : ''} (median of ${scrapes}): ${median(wall).toFixed(2)} ms wall, ${cpuPerScrape.toFixed(2)} ms supervisor CPU each; ${text.length} bytes, ${text.split('\n').filter((l) => l && !l.startsWith('#')).length} samples`,
    );
    console.log(`core status: ${status[0].toFixed(0)} ms with no recent sample, ${median(status.slice(1)).toFixed(0)} ms (median of 9) right after`);
  });
} finally {
  fs.rmSync(project, { recursive: true, force: true });
}
