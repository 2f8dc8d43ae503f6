/**
 * Issue 13, items 1 and 2, through the built CLI on a real stack of tiny
 * services with CORE_METRICS_ADDR on a free loopback port: the exposition is
 * valid (Debian's promtool) and names every metric of the contract for every
 * process; a process that burns half a core reads 0.4–0.6 core as a rate over
 * two scrapes; a real Prometheus scrapes core and its query API returns
 * core_process_up for every process and a restart counted after a SIGKILL.
 * `core status` has CPU and MEM columns (and `--json` the fields), `--watch`
 * redraws. A bad CORE_METRICS_ADDR, and a port in use, stop `core up` with
 * exit 2 and nothing started.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { once } from 'node:events';
import { performance } from 'node:perf_hooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CORE, runCore } from '../helpers/cli.js';
import { freeOffset, isListening, waitFor } from '../helpers/e2e.js';
import { REPO } from '../helpers/stack.js';
import { tinyProject } from '../helpers/tiny-project.js';

const PROMTOOL = '/usr/bin/promtool';
const ESC = '\x1b';
const PROMETHEUS = '/usr/bin/prometheus';
const PROCESSES = ['web-0', 'web-1', 'burn'];
const ALWAYS = { availability: { restart: 'always' } };
/** An HTTP service ready on GET /health, restarted whatever ends it. */
const web = (name: string, port: number) => ({
  name,
  process: {
    command: process.execPath,
    args: [path.join(REPO, 'tests/fixtures/engine/http-server.mjs'), '${port.http}', '0'],
    compose: { ...ALWAYS, readiness_probe: { http_get: { url: 'http://127.0.0.1:${port.http}/health' }, period_seconds: 1 } },
  },
  ports: { http: { port, protocol: 'http' } },
});
const SERVICES = {
  'web-0': web('web-0', 100),
  'web-1': web('web-1', 101),
  burn: { name: 'burn', process: { command: process.execPath, args: [path.join(REPO, 'tests/fixtures/engine/burn-half.mjs')], compose: ALWAYS } },
};

/** A port the kernel says is free now (bound on loopback and let go). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen({ port: 0, host: '127.0.0.1' }, () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** `name{labels} value` lines of an exposition, comments left out. */
function samples(text: string): { name: string; labels: Record<string, string>; value: number }[] {
  return text
    .split('\n')
    .filter((line) => line && !line.startsWith('#'))
    .map((line) => {
      const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
      if (!match) throw new Error(`not a sample line: ${line}`);
      const labels = Object.fromEntries([...(match[2] ?? '').matchAll(/([a-zA-Z_]\w*)="((?:[^"\\]|\\.)*)"/g)].map((m) => [m[1]!, m[2]!]));
      return { name: match[1]!, labels, value: Number(match[3]) };
    });
}

const offset = await freeOffset([100, 101]);
const metricsPort = await freePort();
const project = tinyProject(offset, 0, { extra: SERVICES, timeoutMs: 30_000 });
fs.writeFileSync(path.join(project.dir, '.env'), `CORE_METRICS_ADDR=127.0.0.1:${metricsPort}\n`);
const scrape = async () => {
  const response = await fetch(`http://127.0.0.1:${metricsPort}/metrics`);
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  return response.text();
};
let prometheus: ChildProcess | undefined;
const promDir = fs.mkdtempSync(path.join(os.tmpdir(), 'core-prometheus-'));

beforeAll(async () => {
  const up = await project.core('up', '-d');
  expect(up.code, up.stderr).toBe(0);
}, 60_000);

afterAll(async () => {
  if (prometheus && prometheus.exitCode === null && prometheus.signalCode === null) {
    prometheus.kill('SIGTERM');
    await once(prometheus, 'exit');
  }
  await project.core('down');
  project.remove();
  fs.rmSync(promDir, { recursive: true, force: true });
}, 60_000);

describe('metrics', () => {
  it('the exposition is valid (promtool) and has every metric of the contract for every process, on CORE_METRICS_ADDR and from core metrics', async () => {
    const text = await scrape();
    if (fs.existsSync(PROMTOOL)) {
      // promtool exits 1 on a format error and 3 on a lint problem (a missing HELP, a bad name, a counter without _total).
      const checked = (() => {
        try {
          return { code: 0, out: execFileSync(PROMTOOL, ['check', 'metrics'], { input: text, encoding: 'utf8' }) };
        } catch (error) {
          const e = error as { status: number; stdout: string; stderr: string };
          return { code: e.status, out: `${e.stdout}${e.stderr}` };
        }
      })();
      expect(checked, checked.out).toEqual({ code: 0, out: '' });
    }
    const all = samples(text);
    const per = [
      'core_process_up',
      'core_process_state',
      'core_process_restarts_total',
      'core_process_start_time_seconds',
      'core_process_last_exit_code',
      'core_process_cpu_seconds_total',
      'core_process_resident_memory_bytes',
      'core_process_ready_latency_seconds_bucket',
      'core_process_ready_latency_seconds_sum',
      'core_process_ready_latency_seconds_count',
    ];
    for (const process of PROCESSES) {
      for (const name of per) {
        expect(
          all.some((s) => s.name === name && s.labels.process === process && s.labels.service === process),
          `${name}{process="${process}"}`,
        ).toBe(true);
      }
      expect(all.find((s) => s.name === 'core_process_up' && s.labels.process === process)?.value).toBe(1);
      const states = all.filter((s) => s.name === 'core_process_state' && s.labels.process === process);
      expect(states.filter((s) => s.value === 1).map((s) => s.labels.state)).toEqual(['ready']);
      expect(states.length).toBeGreaterThanOrEqual(11);
      expect(all.find((s) => s.name === 'core_process_resident_memory_bytes' && s.labels.process === process)?.value).toBeGreaterThan(1024 * 1024);
    }
    // The web services are ready on a probe: each became ready once.
    expect(all.find((s) => s.name === 'core_process_ready_latency_seconds_count' && s.labels.process === 'web-0')?.value).toBe(1);
    expect(all.find((s) => s.name === 'core_build_info')?.labels).toMatchObject({ version: expect.any(String), node: process.version, engine: 'builtin' });
    expect(all.find((s) => s.name === 'process_cpu_seconds_total')?.value).toBeGreaterThan(0);
    expect(all.find((s) => s.name === 'process_resident_memory_bytes')?.value).toBeGreaterThan(1024 * 1024);

    const cli = await project.core('metrics');
    expect(cli.code, cli.stderr).toBe(0);
    expect(new Set(samples(cli.stdout).map((s) => s.name))).toEqual(new Set(all.map((s) => s.name)));

    // Anything but /metrics is not found; a request naming another host (DNS rebinding) is refused.
    expect((await fetch(`http://127.0.0.1:${metricsPort}/`)).status).toBe(404);
    const rebound = await new Promise<number>((resolve, reject) =>
      http
        .get({ host: '127.0.0.1', port: metricsPort, path: '/metrics', headers: { host: `evil.example:${metricsPort}` } }, (response) => resolve(response.resume().statusCode!))
        .on('error', reject),
    );
    expect(rebound).toBe(403);
  });

  it('a process burning half a core reads 0.4–0.6 core as the rate of its counter over two scrapes', async () => {
    const cpuOf = (text: string) => samples(text).find((s) => s.name === 'core_process_cpu_seconds_total' && s.labels.process === 'burn')!.value;
    const first = cpuOf(await scrape());
    const from = performance.now();
    // The window of the rate, as a scrape interval would be: two seconds of burning is 200 clock ticks.
    await new Promise((resolve) => setTimeout(resolve, 2000));
    const second = cpuOf(await scrape());
    const cores = (second - first) / ((performance.now() - from) / 1000);
    expect(cores).toBeGreaterThanOrEqual(0.4);
    expect(cores).toBeLessThanOrEqual(0.6);
  });

  it.skipIf(!fs.existsSync(PROMETHEUS))(
    'a real Prometheus scrapes it: core_process_up for every process, and a restart counted after a SIGKILL',
    async () => {
      const webPort = await freePort();
      const config = path.join(promDir, 'prometheus.yml');
      fs.writeFileSync(
        config,
        `global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\nscrape_configs:\n  - job_name: core\n    static_configs:\n      - targets: ['127.0.0.1:${metricsPort}']\n`,
      );
      let log = '';
      prometheus = spawn(PROMETHEUS, [`--config.file=${config}`, `--storage.tsdb.path=${path.join(promDir, 'data')}`, `--web.listen-address=127.0.0.1:${webPort}`], {
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      prometheus.stderr!.setEncoding('utf8').on('data', (chunk: string) => (log = (log + chunk).slice(-4000)));
      const query = async (promql: string) => {
        const response = await fetch(`http://127.0.0.1:${webPort}/api/v1/query?query=${encodeURIComponent(promql)}`);
        const body = (await response.json()) as { status: string; data: { result: { metric: Record<string, string>; value: [number, string] }[] } };
        return body.status === 'success' ? body.data.result : [];
      };
      const reachable = (promql: string) => query(promql).catch(() => []);
      try {
        const up = await waitFor(
          'core_process_up of every process in Prometheus',
          async () => {
            const result = await reachable('core_process_up');
            return result.length === PROCESSES.length ? result : undefined;
          },
          30_000,
          200,
        );
        expect(up.map((r) => r.metric.process).sort()).toEqual([...PROCESSES].sort());
        expect(up.every((r) => r.value[1] === '1' && r.metric.job === 'core')).toBe(true);

        const status = JSON.parse((await project.core('status', '--json')).stdout) as { processes: { name: string; pid: number }[] };
        const pid = status.processes.find((p) => p.name === 'web-1')!.pid;
        process.kill(pid, 'SIGKILL');
        const restarts = await waitFor(
          'core_process_restarts_total of web-1 to reach 1 in Prometheus',
          async () => {
            const result = await reachable('core_process_restarts_total{process="web-1"}');
            return Number(result[0]?.value[1] ?? 0) >= 1 ? result : undefined;
          },
          30_000,
          200,
        );
        expect(restarts[0]!.metric).toMatchObject({ process: 'web-1', service: 'web-1' });
        expect((await reachable('core_process_restarts_total{process="web-0"}'))[0]?.value[1]).toBe('0');
      } catch (error) {
        throw new Error(`${(error as Error).message}\nprometheus said:\n${log}`);
      }
    },
    90_000,
  );
});

describe('core status: CPU and memory', () => {
  it('the table has CPU and MEM columns; --json has cpu (cores) and rss_bytes per process', async () => {
    // web-1 was SIGKILLed above: once it runs again, every process has figures.
    await waitFor(
      'every process running',
      async () => (JSON.parse((await project.core('status', '--json')).stdout) as { processes: { pid: number | null }[] }).processes.every((p) => p.pid !== null) || undefined,
    );
    const json = await project.core('status', '--json');
    expect(json.code, json.stderr).toBe(0);
    const rows = (JSON.parse(json.stdout) as { processes: { name: string; cpu: number | null; rss_bytes: number | null }[] }).processes;
    for (const row of rows) {
      expect(row.rss_bytes, row.name).toBeGreaterThan(1024 * 1024);
      expect(typeof row.cpu, row.name).toBe('number');
    }
    expect(rows.find((r) => r.name === 'burn')!.cpu).toBeGreaterThan(0.2);
    const table = await project.core('status');
    expect(table.code, table.stderr).toBe(0);
    const [header, ...lines] = table.stdout.trim().split('\n');
    expect(header).toMatch(/^NAME\s+STATUS\s+HEALTH\s+PID\s+RESTARTS\s+UPTIME\s+CPU\s+MEM\s+PORTS/);
    expect(lines.find((l) => l.startsWith('burn'))).toMatch(/\s\d+(\.\d)?%\s+\d+(\.\d+)?M\s/);
  });

  it('--watch without a terminal prints one table a second, a blank line between; SIGINT ends it with exit 0', async () => {
    const child = spawn(process.execPath, [CORE, 'status', '--watch'], { cwd: project.dir, env: { PATH: process.env.PATH ?? '', HOME: os.homedir(), CORE_ROOT: project.dir } });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
    await waitFor('two frames', () => (out.match(/^NAME\s+STATUS/gm)?.length ?? 0) >= 2 || undefined, 10_000);
    child.kill('SIGINT');
    const [code] = await once(child, 'exit');
    expect(code).toBe(0);
    expect(out).not.toContain('\x1b[');
    expect(out.split(/\n\n/).length).toBeGreaterThanOrEqual(2);
  });

  it('--watch on a terminal (script -qfc) redraws in place: cursor home, each line cleared, nothing blanked; Ctrl-C exits 0', async () => {
    // exec: the shell script runs the command with is replaced, so Ctrl-C reaches core alone and script exits with core's code.
    const child = spawn('script', ['-qfec', `exec ${process.execPath} ${CORE} status --watch`, '/dev/null'], {
      cwd: project.dir,
      env: { PATH: process.env.PATH ?? '', HOME: os.homedir(), CORE_ROOT: project.dir, TERM: 'xterm', COLUMNS: '120', LINES: '40' },
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
    const frames = () => out.split(`${ESC}[H`).filter((frame) => frame.includes('every 1s'));
    await waitFor('two frames on the terminal', () => frames().length >= 2 || undefined, 10_000);
    child.stdin!.write('\x03'); // Ctrl-C through the terminal: SIGINT to its foreground group
    const [code] = await once(child, 'exit');
    expect(code).toBe(0);
    expect(frames().length).toBeGreaterThanOrEqual(2);
    expect(out.split(`${ESC}[2J`)).toHaveLength(2); // the screen is cleared once, at the start
    expect(frames().at(-1)).toMatch(/NAME\s+STATUS/);
    expect(frames().at(-1)).toContain(`${ESC}[K\r\n`); // each line cleared to its end as it is drawn
  });
});

describe('CORE_METRICS_ADDR refused', () => {
  const attempt = async (value: string) => {
    const otherOffset = await freeOffset([100]);
    const other = tinyProject(otherOffset, 1);
    try {
      const result = await runCore(['up', '-d'], { cwd: other.dir, env: { CORE_PORT_OFFSET: String(otherOffset), CORE_METRICS_ADDR: value } });
      const status = await other.core('status', '--json');
      return { result, running: (JSON.parse(status.stdout) as { running: boolean }).running, listening: await isListening(other.ports[0]!) };
    } finally {
      await other.core('down');
      other.remove();
    }
  };

  it('a value that is not host:port: exit 2 naming CORE_METRICS_ADDR, nothing started', async () => {
    for (const value of ['9464', '127.0.0.1:', '127.0.0.1:99999', 'local host:9464']) {
      const { result, running, listening } = await attempt(value);
      expect(result.code, value).toBe(2);
      expect(result.stderr).toContain('CORE_METRICS_ADDR');
      expect(result.stderr).not.toMatch(/\n\s+at /); // no stack trace
      expect({ running, listening }).toEqual({ running: false, listening: false });
    }
  }, 60_000);

  it('a port in use: exit 2 naming the port and CORE_METRICS_ADDR, nothing started', async () => {
    const holder = net.createServer();
    await new Promise<void>((resolve) => holder.listen({ port: 0, host: '127.0.0.1' }, resolve));
    const { port } = holder.address() as net.AddressInfo;
    try {
      const { result, running, listening } = await attempt(`127.0.0.1:${port}`);
      expect(result.code, result.stderr).toBe(2);
      expect(result.stderr).toContain('CORE_METRICS_ADDR');
      expect(result.stderr).toContain(`port ${port}`);
      expect(result.stderr).toContain('in use');
      expect({ running, listening }).toEqual({ running: false, listening: false });
    } finally {
      holder.close();
    }
  }, 30_000);
});

describe('cost: nothing of metrics is loaded until they are asked for', () => {
  it('the supervisor has not loaded prom-client (the metrics chunk) before the first `core metrics`, and has after it', async () => {
    const sleeper = (name: string) => ({ name, process: { command: 'sleep', args: ['7396'] } });
    const quiet = tinyProject(0, 0, { extra: { a: sleeper('a'), b: sleeper('b') } });
    const log = path.join(quiet.dir, 'loaded.txt');
    try {
      // Every module each process loads, with its pid (bench/load-log.mjs); the detached supervisor inherits it.
      const up = await runCore(['up', '-d'], { cwd: quiet.dir, env: { NODE_OPTIONS: `--import=${path.join(REPO, 'bench/load-log.mjs')}`, CORE_BENCH_LOAD_LOG: log } });
      expect(up.code, up.stderr).toBe(0);
      const supervisor = (JSON.parse((await quiet.core('status', '--json')).stdout) as { supervisor_pid: number }).supervisor_pid;
      const loaded = () =>
        fs
          .readFileSync(log, 'utf8')
          .split('\n')
          .filter((line) => line.startsWith(`${supervisor} `));
      const metricsChunk = (line: string) => /\/metrics-[A-Z0-9]+\.js$|prom-client/.test(line);
      expect(loaded().some((line) => /\/daemon-[A-Z0-9]+\.js$/.test(line))).toBe(true); // the hook sees the supervisor's modules
      expect(loaded().filter(metricsChunk)).toEqual([]);
      const metrics = await quiet.core('metrics');
      expect(metrics.code, metrics.stderr).toBe(0);
      expect(loaded().filter(metricsChunk)).toHaveLength(1);
    } finally {
      await quiet.core('down');
      quiet.remove();
    }
  }, 30_000);
});
