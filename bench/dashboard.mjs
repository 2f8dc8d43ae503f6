#!/usr/bin/env node
// What the dashboard costs the supervisor: the 200-service graph of scale.mjs
// (probes every 1 s), its supervisor's CPU over WINDOW_MS in four phases:
// idle before any `core dashboard`; the dashboard server started, no page open;
// one page open (an SSE client reading /api/stream as a browser would); the page
// closed again. Phases 1, 2 and 4 should match (nothing runs with no page open).
// Usage: node bench/dashboard.mjs [windowSeconds] [perLevel]   (default 20 s, 20 per level:
// 200 services; needs `npm run build`). Ports 61400… (offset 30400: beside scale.mjs's 61000…).
import { setTimeout as sleep } from 'node:timers/promises';
import { cleanup, core, remember, sample, stackPids, tempProject, writeGraph } from './scale.mjs';

const WINDOW_MS = Number(process.argv[2] ?? 20) * 1000;
const LEVELS = 10;
const PER_LEVEL = Number(process.argv[3] ?? 20);
const env = { ...process.env, CORE_PORT_OFFSET: '30400' };

const project = tempProject('core-bench-dashboard-');
const seen = new Map();
const cpuOver = async (pid) => {
  const before = sample(pid);
  await sleep(WINDOW_MS);
  const after = sample(pid);
  if (!before || !after) throw new Error(`the supervisor (pid ${pid}) went away`);
  return { pct: ((after.cpuMs - before.cpuMs) / WINDOW_MS) * 100, rssMiB: after.rssKiB / 1024 };
};

try {
  writeGraph(project, { levels: LEVELS, perLevel: PER_LEVEL });
  core(project, env, ['up', '-d', '--timeout', '600']);
  const pids = stackPids(project);
  remember(seen, pids.supervisor, pids.guardian, ...pids.services);
  await sleep(2000); // the last probes of start-up settle
  const rows = [];
  rows.push(['no dashboard', await cpuOver(pids.supervisor)]);
  const { url } = JSON.parse(core(project, env, ['dashboard', '--json']).stdout);
  rows.push(['dashboard started, no page open', await cpuOver(pids.supervisor)]);
  const abort = new AbortController();
  const response = await fetch(new URL('/api/stream', url).href + new URL(url).search, { signal: abort.signal });
  let bytes = 0;
  const reading = (async () => {
    try {
      for await (const chunk of response.body) bytes += chunk.length;
    } catch {
      // aborted
    }
  })();
  await sleep(1000); // the burst of the connect (history, records) is not the steady state
  const atOpen = bytes;
  rows.push(['one page open', await cpuOver(pids.supervisor)]);
  const streamed = bytes - atOpen;
  abort.abort();
  await reading;
  await sleep(1000);
  rows.push(['page closed again', await cpuOver(pids.supervisor)]);
  console.log(`supervisor CPU over ${WINDOW_MS / 1000} s, ${LEVELS * PER_LEVEL} services probed every 1 s (% of one core)`);
  for (const [name, { pct, rssMiB }] of rows) console.log(`  ${name.padEnd(34)} ${pct.toFixed(2).padStart(6)} %   RSS ${rssMiB.toFixed(0)} MiB`);
  console.log(`  stream while open: ${(streamed / 1024).toFixed(1)} KiB in ${WINDOW_MS / 1000} s (first connect: ${(atOpen / 1024).toFixed(0)} KiB)`);
} finally {
  cleanup(project, env, seen);
  (await import('node:fs')).rmSync(project, { recursive: true, force: true });
}
