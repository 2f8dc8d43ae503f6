#!/usr/bin/env node
// Live reconfiguration: a one-service change (a Node HTTP server's environment)
// applied to the running default stack. Side by side, alternating in one run:
//   own     that server started alone, polled every 2 ms until it answers
//   apply   `core up` on the running stack until it returns with the server ready
//   down+up `core down && core up -d` for the same change
//   pc      the same apply under --engine process-compose (skipped without the binary)
// Goal (issue 10): apply - own ≤ 150 ms.
// Usage: node bench/apply.mjs [runs]   (needs `npm run build` and `./core deps install`)
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const runs = Number(process.argv[2] ?? 5);
const OFFSET = Number(process.env.CORE_BENCH_OFFSET ?? 46600);
const PORT = 7400;
const SCRIPT = "require('http').createServer((q, s) => s.end(process.env.GREETING)).listen(Number(process.env.PORT), '127.0.0.1')";

function makeProject() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'core-bench-apply-'));
  fs.cpSync(path.join(root, 'templates', 'services'), path.join(dir, 'services'), { recursive: true });
  return dir;
}

function writeGreeter(dir, greeting) {
  const manifest = {
    name: 'greeter',
    process: {
      command: process.execPath,
      args: ['-e', SCRIPT],
      env: { GREETING: greeting, PORT: '${port.http}' },
      compose: { readiness_probe: { http_get: { url: 'http://127.0.0.1:${port.http}/' }, period_seconds: 5 } },
    },
    ports: { http: { port: PORT, protocol: 'http' } },
  };
  fs.mkdirSync(path.join(dir, 'services', 'greeter'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'services', 'greeter', 'service.json'), JSON.stringify(manifest));
}

const envOf = (dir, offset) => ({ ...process.env, CORE_ROOT: dir, CORE_PORT_OFFSET: String(offset), CORE_POCKETBASE_ADMIN_PASSWORD: 'bench-password-123' });
const coreIn =
  (dir, offset) =>
  (...args) => {
    const start = performance.now();
    execFileSync(process.execPath, [path.join(root, 'dist/core.js'), ...args], { cwd: dir, env: envOf(dir, offset), stdio: ['ignore', 'ignore', 'pipe'] });
    return performance.now() - start;
  };

const answers = (port) =>
  new Promise((resolve) => {
    const req = http.get({ host: '127.0.0.1', port, path: '/', agent: false, timeout: 500 }, (res) => {
      let body = '';
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve(body));
    });
    req.on('error', () => resolve(undefined));
    req.on('timeout', () => req.destroy());
  });

/** The server alone: spawn, poll every 2 ms until it answers. */
async function own(port, greeting) {
  const start = performance.now();
  const child = spawn(process.execPath, ['-e', SCRIPT], { stdio: 'ignore', env: { ...process.env, GREETING: greeting, PORT: String(port) } });
  while ((await answers(port)) !== greeting) await sleep(2);
  const ms = performance.now() - start;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
  return ms;
}

function findProcessCompose() {
  const cache = path.join(os.homedir(), '.cache/core/bin');
  for (const dir of fs.existsSync(cache) ? fs.readdirSync(cache) : []) {
    const file = path.join(cache, dir, 'process-compose');
    if (fs.existsSync(file)) return file;
  }
  try {
    return execFileSync('sh', ['-c', 'command -v process-compose'], { encoding: 'utf8' }).trim() || undefined;
  } catch {
    return undefined;
  }
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const fmt = (x) => (x === undefined ? '   n/a' : `${Math.round(x)}`.padStart(6));

const dir = makeProject();
const core = coreIn(dir, OFFSET);
const pcDir = findProcessCompose() ? makeProject() : undefined;
const pcCore = pcDir && coreIn(pcDir, OFFSET + 200);
const rows = { own: [], apply: [], downUp: [], pc: [] };
try {
  writeGreeter(dir, 'g0');
  core('deps', 'install');
  core('up', '-d');
  if (pcDir) {
    writeGreeter(pcDir, 'g0');
    pcCore('up', '-d', '--engine', 'process-compose');
  }
  for (let i = 1; i <= runs; i++) {
    rows.own.push(await own(PORT + OFFSET + 50, `o${i}`));
    writeGreeter(dir, `a${i}`);
    rows.apply.push(core('up'));
    if ((await answers(PORT + OFFSET)) !== `a${i}`) throw new Error('apply returned before the new greeter answered');
    writeGreeter(dir, `d${i}`);
    rows.downUp.push(core('down') + core('up', '-d'));
    if (pcDir) {
      writeGreeter(pcDir, `p${i}`);
      rows.pc.push(pcCore('up'));
    }
  }
} finally {
  try {
    core('down');
  } catch {}
  if (pcDir) {
    try {
      pcCore('down');
    } catch {}
    fs.rmSync(pcDir, { recursive: true, force: true });
  }
  fs.rmSync(dir, { recursive: true, force: true });
}

const m = Object.fromEntries(Object.entries(rows).map(([k, v]) => [k, v.length ? median(v) : undefined]));
console.log(`apply of a one-service change (median of ${runs} runs, ms; node ${process.version}, ${os.cpus().length} cpus)`);
console.log('  own ready   core up (apply)   down && up -d   process-compose update');
console.log(`  ${fmt(m.own)}      ${fmt(m.apply)}            ${fmt(m.downUp)}          ${fmt(m.pc)}`);
console.log(`apply adds ${Math.round(m.apply - m.own)} ms to the service's own time to ready (goal ≤ 150 ms); ${(m.apply / m.own).toFixed(1)}× own`);
console.log(
  `down && up -d is ${(m.downUp / m.apply).toFixed(1)}× the apply${m.pc !== undefined ? `; process-compose is ${(m.pc / m.apply).toFixed(1)}× the apply` : '; process-compose: no binary, skipped'}`,
);
