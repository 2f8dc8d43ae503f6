#!/usr/bin/env node
// Where an idle supervisor's CPU goes: bench/scale.mjs's 200-service graph
// started with `core up -d` (built-in engine), then, after a settle second,
// the supervisor's CPU over a window read from /proc, and a CPU profile of
// the same length taken through the inspector (SIGUSR1 opens it on
// 127.0.0.1:<port>; nothing is changed in the supervisor). Prints the
// functions with the most self time and the share of the window spent in
// JavaScript, GC and idle; the profile is kept for a closer look.
// Usage: node --experimental-websocket bench/idle-profile.mjs [seconds] [out.cpuprofile | -]
//   (`-`: no profile, only the CPU figures; `*.perf`: `perf record` of the supervisor's CPU time
//   instead of the inspector, whose samples count wall time, not CPU, on a loaded machine)
//   (default 20 s; needs `npm run build`; 127.0.0.1:9229, Node's SIGUSR1 port, must be free)
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { cleanup, core, remember, sample, stackPids, tempProject, writeGraph } from './scale.mjs';

/** User and system CPU time (ms) of a process. */
function userSys(pid) {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return { user: Number(fields[11]) * 10, sys: Number(fields[12]) * 10 };
}

const SECONDS = Number(process.argv[2] ?? 20);
const OUT = process.argv[3] ?? 'idle.cpuprofile';
const INSPECT_PORT = 9229;
const OFFSET = 30000;

/** A minimal Chrome DevTools Protocol session over the global WebSocket. */
async function devtools(url) {
  const ws = new WebSocket(url);
  await new Promise((resolve, reject) => {
    ws.onopen = resolve;
    ws.onerror = reject;
  });
  let id = 0;
  const pending = new Map();
  ws.onmessage = (message) => {
    const data = JSON.parse(message.data);
    if (data.id !== undefined) pending.get(data.id)?.(data);
  };
  return {
    send: (method, params = {}) =>
      new Promise((resolve, reject) => {
        const n = ++id;
        pending.set(n, (data) => (data.error ? reject(new Error(`${method}: ${data.error.message}`)) : resolve(data.result)));
        ws.send(JSON.stringify({ id: n, method, params }));
      }),
    close: () => ws.close(),
  };
}

/** Self time per function (ms) and per category, from a V8 .cpuprofile. */
function summarise(profile) {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map();
  const deltas = profile.timeDeltas;
  for (let i = 0; i < profile.samples.length; i++) self.set(profile.samples[i], (self.get(profile.samples[i]) ?? 0) + (deltas[i + 1] ?? 0) / 1000);
  const byFunction = new Map();
  for (const [id, ms] of self) {
    const frame = byId.get(id).callFrame;
    const file = frame.url ? frame.url.replace(/^.*\/(dist|node_modules)\//, '$1/') : '';
    const key = `${frame.functionName || '(anonymous)'} ${file}${frame.url ? `:${frame.lineNumber + 1}` : ''}`;
    byFunction.set(key, (byFunction.get(key) ?? 0) + ms);
  }
  return [...byFunction.entries()].sort((a, b) => b[1] - a[1]);
}

async function main() {
  if (typeof WebSocket === 'undefined') throw new Error('run with node --experimental-websocket (Node 20)');
  const project = tempProject('core-bench-idle-');
  const env = { ...process.env, CORE_ROOT: project, CORE_PORT_OFFSET: String(OFFSET) };
  delete env.CORE_ENGINE;
  delete env.NODE_OPTIONS;
  // perf needs the JIT's symbols (every process of the stack writes /tmp/perf-<pid>.map: removed below).
  if (OUT.endsWith('.perf')) env.NODE_OPTIONS = '--perf-basic-prof';
  const seen = new Map();
  const mapsBefore = new Set(fs.readdirSync('/tmp'));
  try {
    writeGraph(project, { levels: 10, perLevel: 20, basePort: 31000 });
    core(project, env, ['validate']);
    const up = core(project, env, ['up', '-d', '--engine', 'builtin', '--timeout', '600']);
    const pids = stackPids(project);
    remember(seen, pids.supervisor, pids.guardian, ...pids.services);
    process.stderr.write(`up in ${up.ms.toFixed(0)} ms; supervisor ${pids.supervisor}\n`);
    await sleep(1000);
    let before = sample(pids.supervisor);
    const split = userSys(pids.supervisor);
    await sleep(SECONDS * 1000);
    let after = sample(pids.supervisor);
    const split2 = userSys(pids.supervisor);
    const plain = after.cpuMs - before.cpuMs;
    console.log(
      `supervisor CPU, ${SECONDS} s idle, not profiled: ${plain.toFixed(0)} ms (${((plain / (SECONDS * 1000)) * 100).toFixed(1)}% of a core; user ${split2.user - split.user} ms, system ${split2.sys - split.sys} ms)`,
    );
    if (OUT === '-') return;
    if (OUT.endsWith('.perf')) {
      execFileSync('perf', ['record', '-e', 'cpu-clock', '-F', '999', '-p', String(pids.supervisor), '-o', OUT, '--', 'sleep', String(SECONDS)], { stdio: 'ignore' });
      const report = execFileSync('perf', ['report', '-i', OUT, '--stdio', '--sort', 'sym', '--percent-limit', '0.7'], { encoding: 'utf8', maxBuffer: 64 << 20 });
      console.log(
        report
          .split('\n')
          .filter((l) => l && !l.startsWith('#'))
          .join('\n'),
      );
      return;
    }

    process.kill(pids.supervisor, 'SIGUSR1');
    let target;
    for (let i = 0; i < 50 && !target; i++) {
      try {
        target = (await (await fetch(`http://127.0.0.1:${INSPECT_PORT}/json/list`)).json())[0];
      } catch {
        await sleep(100);
      }
    }
    if (!target) throw new Error(`no inspector on 127.0.0.1:${INSPECT_PORT}`);
    const session = await devtools(target.webSocketDebuggerUrl);
    await session.send('Profiler.enable');
    await session.send('Profiler.setSamplingInterval', { interval: 500 });
    await sleep(1000);
    before = sample(pids.supervisor);
    await session.send('Profiler.start');
    await sleep(SECONDS * 1000);
    const { profile } = await session.send('Profiler.stop');
    after = sample(pids.supervisor);
    session.close();
    fs.writeFileSync(OUT, JSON.stringify(profile));
    const profiled = after.cpuMs - before.cpuMs;
    console.log(`supervisor CPU, ${SECONDS} s idle, profiled: ${profiled.toFixed(0)} ms (${((profiled / (SECONDS * 1000)) * 100).toFixed(1)}%); profile in ${OUT}`);
    const rows = summarise(profile);
    const total = rows.reduce((sum, [, ms]) => sum + ms, 0);
    const idle = rows.filter(([k]) => k.startsWith('(idle)')).reduce((s, [, ms]) => s + ms, 0);
    console.log(`sampled ${total.toFixed(0)} ms, of which idle ${idle.toFixed(0)} ms; busy ${(total - idle).toFixed(0)} ms`);
    for (const [key, ms] of rows.filter(([k]) => !k.startsWith('(idle)')).slice(0, 40)) console.log(`${ms.toFixed(1).padStart(8)} ms  ${key}`);
  } finally {
    cleanup(project, env, seen);
    fs.rmSync(project, { recursive: true, force: true });
    // The maps of every process of the run (the stack's, and each `core` command's), once it is gone.
    if (env.NODE_OPTIONS) {
      for (const file of fs.readdirSync('/tmp').filter((f) => /^perf-\d+\.map$/.test(f) && !mapsBefore.has(f))) {
        if (!fs.existsSync(`/proc/${file.slice(5, -4)}`)) fs.rmSync(`/tmp/${file}`, { force: true });
      }
    }
  }
}

await main();
