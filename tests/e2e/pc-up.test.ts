/**
 * `core up -f`: a process-compose file in a folder with no `services/`, on the
 * built-in engine; `.core-stack/` beside the file, and `core status`, `logs`,
 * `events`, `restart`, `down` run in that folder find the stack. Small
 * process-compose files written here, as a user writes them (`command` through
 * the shell, `depends_on`, probes, `availability`).
 */
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stackProcesses } from '../../src/support/proc-scan.js';
import { runCore } from '../helpers/cli.js';
import { waitFor } from '../helpers/e2e.js';
import { byCwd } from '../helpers/tiny-stack.js';

const dirs: string[] = [];

function project(yaml: (dir: string) => string, file = 'process-compose.yaml'): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'core-pc-'));
  dirs.push(dir);
  fs.writeFileSync(path.join(dir, file), yaml(dir));
  return dir;
}

/** A port free now (the kernel's pick), for the http probe's server. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

// The core `up` would otherwise find: a process-compose project is found by its .core-stack/ record.
const env = (dir: string) => ({ CORE_ROOT: dir });

/** Nothing of the stack left: its processes (by the stack's mark) at once, and anything run in the folder (the guardian exits a moment after its supervisor). */
async function nothingLeft(dir: string): Promise<void> {
  expect(stackProcesses(path.join(dir, '.core-stack'))).toEqual([]);
  await waitFor(`no process left in ${dir}`, () => byCwd(dir).length === 0 || undefined, 5_000);
}

afterAll(async () => {
  for (const dir of dirs) {
    await runCore(['down'], { cwd: dir, env: env(dir) });
    await nothingLeft(dir);
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

describe('core up -f -d, then the other commands in that folder', () => {
  let dir: string;
  let port: number;
  beforeAll(async () => {
    port = await freePort();
    dir = project(
      (d) => `version: "0.5"
name: pc-demo
processes:
  setup:
    command: "echo setting up > made-by-setup; echo setup done"
    working_dir: ${d}
  web:
    command: python3 -m http.server ${port} --bind 127.0.0.1
    working_dir: ${d}
    depends_on:
      setup: { condition: process_completed_successfully }
    readiness_probe:
      http_get: { host: 127.0.0.1, port: "${port}", path: /, scheme: http }
      initial_delay_seconds: 0
      period_seconds: 1
      timeout_seconds: 1
      success_threshold: 1
      failure_threshold: 30
`,
    );
  });

  it('returns once web answers its probe, after setup completed; .core-stack/ is beside the file', async () => {
    // From another folder: the stack folder goes beside the file, not into cwd.
    const result = await runCore(['up', '-f', path.join(dir, 'process-compose.yaml'), '-d', '--json'], { cwd: os.tmpdir(), env: env(dir) });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const json = JSON.parse(result.stdout);
    expect(json.ok).toBe(true);
    expect(Object.fromEntries(json.services.map((s: { name: string; status: string }) => [s.name, s.status]))).toEqual({ setup: 'completed', web: 'healthy' });
    expect(fs.readFileSync(path.join(dir, 'made-by-setup'), 'utf8')).toBe('setting up\n');
    expect(fs.existsSync(path.join(dir, '.core-stack', 'pc-project.json'))).toBe(true);
    const answer = await fetch(`http://127.0.0.1:${port}/`);
    expect(answer.status).toBe(200);
  });

  it('status --json, logs and events in that folder see the stack', async () => {
    const status = await runCore(['status', '--json'], { cwd: dir, env: env(dir) });
    expect(status.code).toBe(0);
    const processes = JSON.parse(status.stdout).processes as { name: string; status: string }[];
    expect(Object.fromEntries(processes.map((p) => [p.name, p.status]))).toMatchObject({ setup: 'Completed', web: 'Running' });
    const logs = await runCore(['logs', 'setup'], { cwd: dir, env: env(dir) });
    expect(logs.code).toBe(0);
    expect(logs.stdout).toContain('setup done');
    const events = await runCore(['events', '--json'], { cwd: dir, env: env(dir) });
    expect(events.code).toBe(0);
    expect(
      events.stdout
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line))
        .some((e) => e.process === 'web' && e.type === 'ready'),
    ).toBe(true);
  });

  it('restart --wait takes the file as it is now; an unknown process is exit 2', async () => {
    const restarted = await runCore(['restart', 'web', '--wait', '--json'], { cwd: dir, env: env(dir) });
    expect(restarted.code, restarted.stderr).toBe(0);
    const unknown = await runCore(['restart', 'nope'], { cwd: dir, env: env(dir) });
    expect(unknown.code).toBe(2);
  });

  it('stop and start in that folder', async () => {
    const stop = await runCore(['stop', 'web', '--json'], { cwd: dir, env: env(dir) });
    expect(stop.code, stop.stderr).toBe(0);
    expect(stop.stderr).not.toContain('cannot be read');
    const start = await runCore(['start', 'web', '--json'], { cwd: dir, env: env(dir) });
    expect(start.code, start.stderr).toBe(0);
    expect((await fetch(`http://127.0.0.1:${port}/`)).status).toBe(200);
  });

  it('a second up -f of the same file applies it (nothing changed: nothing restarted); of another file, refused', async () => {
    const again = await runCore(['up', '-f', path.join(dir, 'process-compose.yaml'), '-d'], { cwd: os.tmpdir(), env: env(dir) });
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toContain('no change');
    fs.writeFileSync(path.join(dir, 'other.yaml'), 'processes:\n  x: { command: sleep 60 }\n');
    const other = await runCore(['up', '-f', 'other.yaml', '-d'], { cwd: dir, env: env(dir) });
    expect(other.code).toBe(2);
    expect(other.stderr).toContain('already running');
  });

  it('down stops every process the stack started', async () => {
    const down = await runCore(['down'], { cwd: dir, env: env(dir) });
    expect(down.code).toBe(0);
    await nothingLeft(dir);
  });

  it('core up with no -f in that folder runs the project again, as recorded', async () => {
    const again = await runCore(['up', '-d', '--json'], { cwd: dir, env: env(dir) });
    expect(again.code, again.stderr).toBe(0);
    expect(
      JSON.parse(again.stdout)
        .services.map((s: { name: string }) => s.name)
        .sort(),
    ).toEqual(['setup', 'web']);
    expect((await runCore(['down'], { cwd: dir, env: env(dir) })).code).toBe(0);
    await nothingLeft(dir);
  });
});

describe('core up -f in the foreground', () => {
  it('exits with the code of a process with exit_on_end, stopping the rest', async () => {
    const dir = project(
      (d) => `version: "0.5"
name: pc-exit
processes:
  job:
    command: "echo job ran; exit 3"
    working_dir: ${d}
    depends_on:
      other: { condition: process_started }
    availability: { restart: "no", exit_on_end: true }
  other:
    command: sleep 60
    working_dir: ${d}
`,
    );
    const result = await runCore(['up', '-f', 'process-compose.yaml'], { cwd: dir, env: env(dir) });
    expect(result.code).toBe(3);
    expect(result.stdout).toMatch(/job\s+\| job ran/);
    await nothingLeft(dir);
  });

  it('ends with 0 once every process has ended, a failed one included (process-compose headless)', async () => {
    const dir = project(
      (d) => `version: "0.5"
name: pc-end
processes:
  a:
    command: "echo a"
    working_dir: ${d}
  b:
    command: "echo b; exit 1"
    working_dir: ${d}
    depends_on:
      a: { condition: process_completed_successfully }
`,
    );
    const result = await runCore(['up', '-f', 'process-compose.yaml'], { cwd: dir, env: env(dir) });
    expect(result.code).toBe(0);
    expect(result.stdout.search(/a\s+\| a/)).toBeGreaterThan(-1);
    expect(result.stdout.search(/a\s+\| a/)).toBeLessThan(result.stdout.search(/b\s+\| b/));
  });

  it('exits 1 when a process with exit_on_skipped is skipped (its dependency failed)', async () => {
    const dir = project(
      () => `processes:
  a: { command: "exit 4" }
  b:
    command: echo never
    depends_on: { a: { condition: process_completed_successfully } }
    availability: { exit_on_skipped: true }
`,
    );
    const result = await runCore(['up', '-f', 'process-compose.yaml'], { cwd: dir, env: env(dir) });
    expect(result.code).toBe(1);
    expect(result.stdout).not.toContain('never');
  });

  it("a process's log_location gets process-compose's JSON lines, and core logs still reads the plain ones", async () => {
    const dir = project(() => 'processes:\n  a:\n    command: echo into my own file\n    log_location: ./logs/a-own.log\n');
    // An earlier core linked its own log to the file: the link must not carry core's lines into it.
    fs.mkdirSync(path.join(dir, '.core-stack', 'logs'), { recursive: true });
    fs.symlinkSync(path.join(dir, 'logs', 'a-own.log'), path.join(dir, '.core-stack', 'logs', 'a.log'));
    const result = await runCore(['up', '-f', 'process-compose.yaml'], { cwd: dir, env: env(dir) });
    expect(result.code, result.stderr).toBe(0);
    expect(fs.readFileSync(path.join(dir, 'logs', 'a-own.log'), 'utf8')).toBe('{"level":"info","process":"a","replica":0,"message":"into my own file"}\n');
    expect(fs.lstatSync(path.join(dir, '.core-stack', 'logs', 'a.log')).isSymbolicLink()).toBe(false);
    const logs = await runCore(['logs', 'a'], { cwd: dir, env: env(dir) });
    expect(logs.code, logs.stderr).toBe(0);
    expect(logs.stdout).toContain('into my own file');
    expect(logs.stdout).not.toContain('"level"');
  });

  it('PROCESS … runs those and their dependencies only', async () => {
    const dir = project(
      (d) => `version: "0.5"
name: pc-select
processes:
  a: { command: "echo a", working_dir: ${d} }
  b:
    command: "echo b"
    working_dir: ${d}
    depends_on: { a: { condition: process_completed } }
  c: { command: "echo c", working_dir: ${d} }
`,
    );
    const result = await runCore(['up', '-f', 'process-compose.yaml', 'b'], { cwd: dir, env: env(dir) });
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/a\s+\| a/);
    expect(result.stdout).toMatch(/b\s+\| b/);
    expect(result.stdout).not.toMatch(/c\s+\| c/);
  });
});

describe('core up -f: env files', () => {
  it("an -e file's values reach the process, and nothing under .core-stack/ holds them", async () => {
    const dir = project(
      (d) => `processes:
  show:
    command: echo "token is $$API_TOKEN, plain is $$PLAIN"
    working_dir: ${d}
    environment: [PLAIN=visible]
`,
    );
    fs.writeFileSync(path.join(dir, 'secret.env'), 'API_TOKEN=s3cr3t-value-91\n');
    const result = await runCore(['up', '-f', 'process-compose.yaml', '-e', 'secret.env'], { cwd: dir, env: env(dir) });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('token is s3cr3t-value-91, plain is visible');
    const written = fs
      .readdirSync(path.join(dir, '.core-stack'), { recursive: true, withFileTypes: true })
      .filter((entry) => entry.isFile() && entry.name !== 'show.log')
      .map((entry) => fs.readFileSync(path.join(entry.parentPath, entry.name), 'utf8'));
    expect(written.length).toBeGreaterThan(2);
    for (const text of written) expect(text).not.toContain('s3cr3t-value-91');
  });
});

describe('core up -f -d: env files', () => {
  it('the detached supervisor and a restart pass the value too; it is written nowhere', async () => {
    const dir = project(
      (d) => `processes:
  show:
    command: echo "token is $$API_TOKEN"; exec sleep 60
    working_dir: ${d}
`,
    );
    fs.writeFileSync(path.join(dir, '.env'), 'API_TOKEN=d3t4ched-91\n'); // process-compose's default env file
    const up = await runCore(['up', '-f', 'process-compose.yaml', '-d'], { cwd: dir, env: env(dir) });
    expect(up.code, up.stderr).toBe(0);
    const restart = await runCore(['restart', 'show', '--wait'], { cwd: dir, env: env(dir) });
    expect(restart.code, restart.stderr).toBe(0);
    await waitFor('two runs logged', async () => {
      const logs = await runCore(['logs', 'show'], { cwd: dir, env: env(dir) });
      return logs.stdout.split('token is d3t4ched-91').length === 3 || undefined;
    });
    const written = fs
      .readdirSync(path.join(dir, '.core-stack'), { recursive: true, withFileTypes: true })
      .filter((entry) => entry.isFile() && !entry.name.startsWith('show.log'))
      .map((entry) => fs.readFileSync(path.join(entry.parentPath, entry.name), 'utf8'));
    for (const text of written) expect(text).not.toContain('d3t4ched-91');
    expect((await runCore(['down'], { cwd: dir, env: env(dir) })).code).toBe(0);
    await nothingLeft(dir);
  });
});

describe('core up -f: bad input is exit 2, nothing started, nothing written', () => {
  it('a missing file, bad YAML, a bad value, an unknown PROCESS: named with file and key', async () => {
    const dir = project(() => 'version: "0.5"\nname: x\nprocesses:\n  a: { command: sleep 60, working_dir: /tmp, availability: { restart: sometimes } }\n', 'bad.yaml');
    fs.writeFileSync(path.join(dir, 'broken.yaml'), 'processes: [\n');
    fs.writeFileSync(path.join(dir, 'ok.yaml'), `version: "0.5"\nname: x\nprocesses:\n  a: { command: sleep 60, working_dir: ${dir} }\n`);
    const cases: [string[], string, string][] = [
      [['-f', 'missing.yaml'], 'missing.yaml', 'ENOENT'],
      [['-f', 'broken.yaml'], 'broken.yaml', 'YAML'],
      [['-f', 'bad.yaml'], 'bad.yaml', 'processes.a.availability.restart'],
      [['-f', 'ok.yaml', 'zzz'], 'ok.yaml', 'zzz'],
    ];
    for (const [args, file, key] of cases) {
      for (const detach of [[], ['-d']]) {
        const result = await runCore(['up', ...args, ...detach], { cwd: dir, env: env(dir) });
        expect(result.code, result.stderr).toBe(2);
        expect(result.stderr).toContain(`${path.join(dir, file)}: `);
        expect(result.stderr).toContain(key);
        expect(result.stderr).not.toMatch(/\n\s+at /); // no stack trace
      }
    }
    expect(fs.existsSync(path.join(dir, '.core-stack'))).toBe(false);
    await nothingLeft(dir);
  });

  it('a file in the folder of a core project (services/) is refused: the stack folder would be shared', async () => {
    const dir = project(() => 'processes:\n  a: { command: sleep 60 }\n');
    fs.mkdirSync(path.join(dir, 'services'));
    const result = await runCore(['up', '-f', 'process-compose.yaml', '-d'], { cwd: dir, env: env(dir) });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`${dir} holds services/ of a core project`);
    expect(fs.existsSync(path.join(dir, '.core-stack'))).toBe(false);
  });

  it('-e, -n and --no-deps without -f are refused', async () => {
    const dir = project(() => '');
    for (const flag of [['-e', 'x.env'], ['-n', 'ns'], ['--no-deps']]) {
      const result = await runCore(['up', ...flag], { cwd: dir, env: env(dir) });
      expect(result.code).toBe(2);
      expect(result.stderr).toContain(`${flag[0]} is for a process-compose file`);
    }
  });
});
