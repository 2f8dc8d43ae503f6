/**
 * Issue 11 section 3 through the built CLI: `core up -d` says what a slow
 * target waits for; `core status [svc…]`/`core ps` with port names, a finished
 * job's exit code and the log line a service waits for; `core logs` of several
 * services, --tail, -t, --since, --events, the separator of a new run, and -f
 * ending when the stack stops. Tiny user services only (no NATS needed):
 * `api` listens 3 s after it starts, `worker` is ready on a log line it prints
 * once the test creates a file, `migrate` is a one-shot job.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CORE, runCore } from '../helpers/cli.js';
import { waitFor } from '../helpers/e2e.js';

const OFFSET = 8000;
const API_PORT = 130 + OFFSET;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'core-logs-status-'));
const go = path.join(dir, 'go');
const env = { CORE_PORT_OFFSET: String(OFFSET) };
const core = (...args: string[]) => runCore(args, { cwd: dir, env, timeoutMs: 30_000 });
const node = (script: string, rest: Record<string, unknown> = {}) => ({ command: process.execPath, args: ['-e', script], ...rest });

const services: Record<string, object> = {
  api: {
    name: 'api',
    process: node(
      "console.log('api booting'); setTimeout(() => require('node:http').createServer((q, s) => s.end('ok')).listen(Number(process.env.PORT), '127.0.0.1', () => console.log('api listening')), 3000)",
      { env: { PORT: '${port.http}' }, compose: { readiness_probe: { http_get: { url: 'http://127.0.0.1:${port.http}/health' }, period_seconds: 1, failure_threshold: 30 } } },
    ),
    ports: { http: { port: 130, protocol: 'http' } },
  },
  worker: {
    name: 'worker',
    process: node(
      `console.log('worker booting'); const t = setInterval(() => { if (require('node:fs').existsSync(${JSON.stringify(go)})) { clearInterval(t); console.log('worker ready'); console.log('worker working'); setInterval(() => {}, 1000); } }, 50)`,
      { compose: { ready_log_line: 'worker ready', depends_on: { migrate: { condition: 'process_completed_successfully' } } } },
    ),
  },
  migrate: { name: 'migrate', process: node("console.log('migrated')") },
};
for (const [name, manifest] of Object.entries(services)) {
  fs.mkdirSync(path.join(dir, 'services', name), { recursive: true });
  fs.writeFileSync(path.join(dir, 'services', name, 'service.json'), JSON.stringify(manifest));
}
const coreLog = path.join(dir, '.core-stack/logs/core.log');
const read = (file: string) => (fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '');

const children: ReturnType<typeof spawn>[] = [];

afterAll(async () => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill();
  await core('down');
  fs.rmSync(dir, { recursive: true, force: true });
});

const ISO = /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z/;

describe('core up -d, status and logs: what is it doing?', () => {
  it('up -d says what a slow target waits for; status shows the awaited log line while it waits', async () => {
    const up = core('up', '-d');
    // The supervisor logs each progress line it sends to `core up -d`: the first comes ~2 s in.
    await waitFor('a progress line for worker', () => read(coreLog).includes('waiting: worker: waiting for log line "worker ready"'), 15_000, 50);
    const json = JSON.parse((await core('status', '--json', 'worker')).stdout || '{}');
    const table = await core('status', 'worker');
    fs.writeFileSync(go, '');
    const result = await up;
    expect(result.code, result.stdout + result.stderr).toBe(0);
    expect(result.stderr).toContain('worker: waiting for log line "worker ready"');
    expect(result.stderr).toMatch(new RegExp(`api: GET http://127.0.0.1:${API_PORT}/health → connect ECONNREFUSED [^,]+, \\d+ tr(y|ies)`));
    expect(json.processes?.map((p: { name: string }) => p.name)).toEqual(['worker']);
    expect(json.processes?.[0].waiting_for).toBe('worker ready');
    expect(table.code).toBe(0);
    expect(table.stdout).toContain('waiting for log line "worker ready"');
    expect(table.stdout).not.toContain('api');
  });

  it('status: named rows only, port names, a finished job with its exit code; ps is an alias; an unknown name is exit 2', async () => {
    const status = await core('status', 'api', 'migrate');
    expect(status.code, status.stderr).toBe(0);
    const lines = status.stdout.trim().split('\n');
    expect(lines).toHaveLength(3);
    expect(status.stdout).toMatch(/^migrate\s+Completed \(exit 0\)/m);
    expect(status.stdout).toContain(`http ${API_PORT}`);
    const ps = await core('ps');
    expect(ps.code).toBe(0);
    for (const name of ['api', 'worker', 'migrate']) expect(ps.stdout).toMatch(new RegExp(`^${name}\\s`, 'm'));
    const unknown = await core('status', 'nope');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('"nope"');
    expect(unknown.stderr).not.toMatch(/\n\s+at /);
  });

  it('logs: several services, --tail, -t, --since, --events; unknown names and bad flags are exit 2', async () => {
    const all = await core('logs', 'api', 'worker', 'migrate');
    expect(all.code, all.stderr).toBe(0);
    for (const line of ['api booting', 'worker ready', 'migrated']) expect(all.stdout).toContain(line);
    expect(all.stdout).toMatch(/^migrate \| migrated$/m);

    const tail = await core('logs', 'worker', '--tail', '1');
    expect(tail.stdout.trim()).toBe('worker working');

    const stamped = await core('logs', '-t', 'worker', '-n', '2');
    const stampedLines = stamped.stdout.trim().split('\n');
    expect(stampedLines).toHaveLength(2);
    for (const line of stampedLines) expect(line).toMatch(new RegExp(`^${ISO.source} worker (ready|working)$`));

    expect((await core('logs', 'worker', '--since', '10m')).stdout).toContain('worker ready');
    expect((await core('logs', 'worker', '--since', '2099-01-01T00:00:00Z')).stdout).not.toContain('worker');
    const bad = await core('logs', '--since', 'yesterday');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--since');
    const missing = await core('logs', 'worker', 'nope');
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('"nope"');

    const mixed = await core('logs', '-t', '--events', 'api', 'worker');
    expect(mixed.code, mixed.stderr).toBe(0);
    const mixedLines = mixed.stdout.trim().split('\n');
    expect(mixedLines.some((l) => /^events \| .*api .*probe/.test(l))).toBe(true);
    expect(mixedLines.some((l) => /^worker \| .*worker ready$/.test(l))).toBe(true);
    const times = mixedLines.map((l) => ISO.exec(l)?.[0]).filter((t): t is string => t !== undefined);
    expect(times.length).toBeGreaterThan(4);
    expect([...times].sort()).toEqual(times);
  });

  it('logs -f ends (exit 0) when the stack stops; a new run of the stack starts with a separator', async () => {
    const follower = spawn(process.execPath, [CORE, 'logs', '-f', 'worker'], {
      cwd: dir,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', CORE_ROOT: dir, ...env },
    });
    children.push(follower);
    let out = '';
    follower.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
    const exited = new Promise<number | null>((resolve) => follower.on('exit', (code) => resolve(code)));
    await waitFor('the follower to print history', () => out.includes('worker working'), 10_000);
    expect((await core('down')).code).toBe(0);
    const code = await Promise.race([exited, new Promise<string>((resolve) => setTimeout(() => resolve('still running'), 10_000))]);
    if (code === 'still running') follower.kill();
    expect(code).toBe(0);

    const again = await core('up', '-d');
    expect(again.code, again.stderr).toBe(0);
    const logs = await core('logs', 'worker');
    const separators = logs.stdout.split('\n').filter((l) => l.includes('a new run of the stack'));
    expect(separators).toHaveLength(2);
    expect(logs.stdout.trim().split('\n').at(-4)).toContain('a new run of the stack');
  });
});

describe('core up -d: a timeout names what it waited for', () => {
  it('a service whose ready_log_line never comes: the message names the line', async () => {
    const other = fs.mkdtempSync(path.join(os.tmpdir(), 'core-logs-timeout-'));
    try {
      fs.mkdirSync(path.join(other, 'services', 'quiet'), { recursive: true });
      fs.writeFileSync(
        path.join(other, 'services', 'quiet', 'service.json'),
        JSON.stringify({ name: 'quiet', process: node("console.log('starting'); setInterval(() => {}, 1000)", { compose: { ready_log_line: 'never printed' } }) }),
      );
      const up = await runCore(['up', '-d', '--timeout', '1'], { cwd: other, env, timeoutMs: 20_000 });
      expect(up.code).toBe(1);
      expect(up.stderr).toContain('quiet not ready after 1000 ms (waiting for log line "never printed")');
    } finally {
      await runCore(['down'], { cwd: other, env });
      fs.rmSync(other, { recursive: true, force: true });
    }
  });
});

describe('core up in the foreground: says what it waits for', () => {
  it('prints the awaited log line after ~2 s, and stops on SIGTERM', async () => {
    const other = fs.mkdtempSync(path.join(os.tmpdir(), 'core-logs-fg-'));
    fs.mkdirSync(path.join(other, 'services', 'quiet'), { recursive: true });
    fs.writeFileSync(
      path.join(other, 'services', 'quiet', 'service.json'),
      JSON.stringify({ name: 'quiet', process: node('setInterval(() => {}, 1000)', { compose: { ready_log_line: 'never printed' } }) }),
    );
    const child = spawn(process.execPath, [CORE, 'up'], { cwd: other, env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', CORE_ROOT: other, ...env } });
    children.push(child);
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      await waitFor('the progress line', () => stderr.includes('quiet: waiting for log line "never printed"'), 10_000, 50);
    } finally {
      child.kill('SIGTERM');
      await exited;
      await runCore(['down'], { cwd: other, env });
      fs.rmSync(other, { recursive: true, force: true });
    }
  });
});
