#!/usr/bin/env node
// Log throughput: one service writes N numbered lines (`line <i> xxx…`, 100 bytes
// each with the newline) to stdout as fast as its engine reads them, then
// `done <N>`, and stays alive. Per engine, alternating: wall time from the
// writer's first line until it has written the last one, and until that last
// line is in `.core-stack/logs/writer.log`; the supervisor's CPU time over the
// same span; MB/s (10^6 bytes of the writer's stdout per second). A baseline,
// `writer | cat > file`, shows what the pipe, the writer and the disk allow.
//
// What "every line accounted for" means differs, and is reported, not hidden:
// - builtin keeps raw lines and rotates at 5 MiB, keeping one `.1`: only the
//   last ~10 MiB survive. Its lines are checked in `.log.1` + `.log`: they must
//   be the unbroken run of numbers ending at N-1, followed by `done N`; lines
//   before that run went to rotation (by design), so retained < written.
// - process-compose wraps each line in JSON ({"level","process","message"}) and
//   never rotates: every one of the N lines must be in the file, in order.
// So both ingest the same bytes from the same pipe and write them all to a
// file as they come (builtin: one write(2) per line; process-compose: flushed
// per line); process-compose writes ~1.6x the bytes and keeps them all, while
// builtin renames and drops old files. MB/s is that of the writer's stdout.
// Between runs the log is deleted and `sync` flushes dirty pages, untimed.
//
// Usage: node bench/logs.mjs [MiB=1024] [runs=1]   (needs `npm run build`)
// process-compose: as in bench/scale.mjs (CORE_BENCH_PROCESS_COMPOSE, PATH, .dep/, cache).
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { FIXTURES, cleanup, core, enginesFor, inTurn, median, ratio, remember, sample, stackPids, tempProject } from './scale.mjs';

const MIB = Number(process.argv[2] ?? 1024);
const runs = Number(process.argv[3] ?? 1);
const loadStart = os.loadavg()[0];
const LINE = 100;
const LINES = Math.floor((MIB * 1024 * 1024) / LINE);
const BYTES = LINES * LINE;
const WRITER = path.join(FIXTURES, 'log-writer.mjs');
const TIMEOUT_MS = 30 * 60_000;

const project = tempProject('core-bench-logs-');
const marks = path.join(project, 'marks');
const logFile = path.join(project, '.core-stack/logs/writer.log');
const baseEnv = { ...process.env, CORE_ROOT: project, CORE_PORT_OFFSET: '30000' };
delete baseEnv.CORE_ENGINE;
const { engines, note } = enginesFor(baseEnv);

// The writer waits for `<marks>.go`, so the supervisor's CPU is read before its first line.
fs.mkdirSync(path.join(project, 'services/writer'), { recursive: true });
fs.writeFileSync(
  path.join(project, 'services/writer/service.json'),
  `${JSON.stringify(
    {
      name: 'writer',
      description: 'bench: writes numbered lines to stdout as fast as it can, then idles',
      process: {
        command: process.execPath,
        args: [WRITER, String(LINES), String(LINE), marks],
        compose: { shutdown: { signal: 15, timeout_seconds: 5 } },
      },
    },
    null,
    2,
  )}\n`,
);

/** Every process seen in a stack (pid → start time), and the baseline's pipeline, for the last-resort cleanup. */
const seen = new Map();
let baselineShell;

const readMark = (name) => Number(fs.readFileSync(`${marks}.${name}`, 'utf8'));
const removeMarks = () => {
  for (const m of ['go', 'start', 'done']) fs.rmSync(`${marks}.${m}`, { force: true });
};

/** The last `bytes` of a file as text ('' if it does not exist). */
function tail(file, bytes = 4096) {
  let fd;
  try {
    fd = fs.openSync(file, 'r');
    const size = fs.fstatSync(fd).size;
    const buffer = Buffer.alloc(Math.min(bytes, size));
    fs.readSync(fd, buffer, 0, buffer.length, size - buffer.length);
    return buffer.toString('utf8');
  } catch {
    return '';
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

/**
 * Scan log files in order: count `line <i>` lines, check they run on without a
 * gap, and find `done`. `json`: each line is process-compose's JSON, the text in "message".
 */
async function account(files, json) {
  let count = 0;
  let first;
  let last;
  let gaps = 0;
  let done = false;
  let bytes = 0;
  for (const file of files) {
    if (!fs.existsSync(file)) continue;
    bytes += fs.statSync(file).size;
    let rest = '';
    for await (const chunk of fs.createReadStream(file, { encoding: 'latin1', highWaterMark: 1 << 20 })) {
      const text = rest + chunk;
      let start = 0;
      for (let end = text.indexOf('\n'); end >= 0; end = text.indexOf('\n', start)) {
        const at = text.indexOf(json ? '"message":"line ' : 'line ', start);
        if (at >= 0 && at < end && (json || at === start)) {
          const n = parseInt(text.slice(at + (json ? 16 : 5), at + (json ? 30 : 19)), 10);
          if (first === undefined) first = n;
          else if (n !== last + 1) gaps += 1;
          last = n;
          count += 1;
        } else if (text.slice(start, end).includes('done ')) done = true;
        start = end + 1;
      }
      rest = text.slice(start);
    }
  }
  return { count, first, last, gaps, done, bytes };
}

async function measure(engine) {
  const run = (args, options) => core(project, engine.env, args, options);
  for (const suffix of ['', '.1']) fs.rmSync(logFile + suffix, { force: true });
  removeMarks();
  run(['up', '-d', '--engine', engine.name]);
  const { supervisor, guardian, services } = stackPids(project);
  remember(seen, supervisor, guardian, ...services);
  const before = sample(supervisor);
  fs.writeFileSync(`${marks}.go`, '');
  const deadline = Date.now() + TIMEOUT_MS;
  const doneLine = json(engine) ? `"message":"done ${LINES}"` : `done ${LINES}\n`;
  let inLogAt;
  while (!inLogAt) {
    if (tail(logFile).includes(doneLine)) inLogAt = Date.now();
    else if (Date.now() > deadline) throw new Error(`${engine.name}: the last line is not in ${logFile} after ${TIMEOUT_MS / 60_000} min`);
    else await sleep(5);
  }
  const after = sample(supervisor);
  const started = readMark('start');
  const written = readMark('done');
  run(['down']);
  const accounted = await account(json(engine) ? [logFile] : [`${logFile}.1`, logFile], json(engine));
  // Drop the file and flush the page cache's dirty pages now, not during the next engine's run.
  for (const suffix of ['', '.1']) fs.rmSync(logFile + suffix, { force: true });
  execFileSync('sync');
  return {
    writerS: (written - started) / 1000,
    inLogS: (inLogAt - started) / 1000,
    mbps: BYTES / 1e6 / ((inLogAt - started) / 1000),
    cpuS: (after.cpuMs - before.cpuMs) / 1000,
    accounted,
  };
}

const json = (engine) => engine.name === 'process-compose';

/** writer | cat > file, outside core: the ceiling of this pipe, writer and disk. */
async function baseline() {
  removeMarks();
  fs.writeFileSync(`${marks}.go`, '');
  const out = path.join(project, 'baseline.log');
  const shell = (baselineShell = spawn('sh', ['-c', '"$0" "$@" | cat > "$BENCH_OUT"', process.execPath, WRITER, String(LINES), String(LINE), marks], {
    stdio: 'ignore',
    detached: true,
    env: { ...process.env, BENCH_OUT: out },
  }));
  try {
    while (!fs.existsSync(`${marks}.done`)) await sleep(5);
    // cat has the last line once the file holds every byte.
    while (fs.statSync(out).size < BYTES + `done ${LINES}\n`.length) await sleep(5);
    const inFile = Date.now();
    return { writerS: (readMark('done') - readMark('start')) / 1000, inLogS: (inFile - readMark('start')) / 1000, mbps: BYTES / 1e6 / ((inFile - readMark('start')) / 1000) };
  } finally {
    try {
      process.kill(-shell.pid, 'SIGTERM');
    } catch {
      // Gone.
    }
    fs.rmSync(out, { force: true });
    execFileSync('sync');
  }
}

const results = Object.fromEntries(engines.map((e) => [e.name, []]));
const base = [];
const onSignal = () => {
  try {
    if (baselineShell) process.kill(-baselineShell.pid, 'SIGKILL');
  } catch {
    // Gone.
  }
  cleanup(project, baseEnv, seen);
  fs.rmSync(project, { recursive: true, force: true });
  process.exit(130);
};
process.once('SIGINT', onSignal);
process.once('SIGTERM', onSignal);
try {
  core(project, baseEnv, ['validate']);
  for (let i = 0; i < runs; i++) {
    base.push(await baseline());
    for (const engine of inTurn(engines, i)) {
      process.stderr.write(`run ${i + 1}/${runs}: ${engine.name}…\n`);
      results[engine.name].push(await measure(engine));
    }
  }
} finally {
  cleanup(project, baseEnv, seen);
  fs.rmSync(project, { recursive: true, force: true });
}

const names = engines.map((e) => e.name);
const pc = names.includes('process-compose');
const med = (name, key) => median(results[name].map((r) => r[key]));
console.log(`logs: ${MIB} MiB per engine = ${LINES} lines of ${LINE} bytes, one service; runs: ${runs}, alternating`);
console.log(`${os.cpus().length} cores, node ${process.version}; ${note}`);
console.log(`load average (1 min): ${loadStart.toFixed(2)} at the start, ${os.loadavg()[0].toFixed(2)} at the end`);
const width = 34;
const col = (v) => String(v).padStart(18);
console.log(`${''.padEnd(width)}${names.map(col).join('')}${pc ? '  builtin/pc'.padStart(13) : ''}${col('writer|cat>file')}`);
const rows = [
  ['writer done (first to last line)', 'writerS', (v) => `${v.toFixed(2)} s`],
  ['last line in the log file', 'inLogS', (v) => `${v.toFixed(2)} s`],
  ['throughput', 'mbps', (v) => `${v.toFixed(1)} MB/s`],
  ['supervisor CPU over that span', 'cpuS', (v) => `${v.toFixed(2)} s`],
];
for (const [label, key, format] of rows) {
  const values = names.map((n) => med(n, key));
  const b = key in (base[0] ?? {}) ? format(median(base.map((r) => r[key]))) : '';
  console.log(`${label.padEnd(width)}${values.map((v) => col(format(v))).join('')}${pc ? ratio(values[0], values[1]).padStart(13) : ''}${col(b)}`);
}
for (const name of names) {
  const a = results[name].at(-1).accounted;
  const unbroken = a.first !== undefined && a.last === LINES - 1 && a.gaps === 0 && a.done;
  const where = name === 'builtin' ? 'raw, writer.log.1 + writer.log' : 'JSON, writer.log';
  const dropped = LINES - a.count;
  console.log(
    `${name}: ${a.count} of ${LINES} lines kept (${(a.bytes / 2 ** 20).toFixed(1)} MiB on disk, ${where}), lines ${a.first}..${a.last}, ` +
      `${unbroken ? 'no gap, done line last' : `${a.gaps} gaps${a.done ? '' : ', NO done line'}: LINES LOST`}` +
      `${dropped > 0 ? `; the ${dropped} before (${((dropped * LINE) / 2 ** 20).toFixed(0)} MiB) went to rotation, by design` : ''}`,
  );
}
console.log('same bytes through the same pipe for both; builtin writes the lines raw, once per event-loop turn, and keeps ~10 MiB,');
console.log('process-compose writes each line as JSON (more bytes), flushed per line, and keeps everything');
if (!pc) console.log('(process-compose not measured: not found)');
