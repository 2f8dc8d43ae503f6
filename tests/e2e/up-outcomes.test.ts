/**
 * Issue 9 items 20 and 21 through the built CLI: `core up -d` never calls a
 * process that failed healthy, and shows a one-shot job as completed. Each case
 * is a throw-away project holding only tiny user services (no NATS needed).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCore } from '../helpers/cli.js';

const OFFSET = '5000';
const projects: string[] = [];
const scratch: string[] = [];

/** A project with these services (`process` of each manifest). */
function project(services: Record<string, Record<string, unknown>>) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'core-up-outcomes-'));
  projects.push(dir);
  for (const [name, process] of Object.entries(services)) {
    fs.mkdirSync(path.join(dir, 'services', name), { recursive: true });
    fs.writeFileSync(path.join(dir, 'services', name, 'service.json'), JSON.stringify({ name, process }));
  }
  return (...args: string[]) => runCore(args, { cwd: dir, env: { CORE_PORT_OFFSET: OFFSET } });
}

const node = (script: string, compose: Record<string, unknown> = {}) => ({ command: process.execPath, args: ['-e', script], compose });

afterAll(async () => {
  for (const dir of projects) {
    await runCore(['down'], { cwd: dir, env: { CORE_PORT_OFFSET: OFFSET } });
    fs.rmSync(dir, { recursive: true, force: true });
  }
  for (const dir of scratch) fs.rmSync(dir, { recursive: true, force: true });
});

describe('core up -d: a failed process is never healthy (item 20)', () => {
  it('a service without a probe that exits 3 at once: exit 1, naming it, its code and its last lines', async () => {
    const core = project({ crash: node("console.error('crash: no config file'); process.exit(3)") });
    const up = await core('up', '-d');
    expect(up.code, up.stdout + up.stderr).toBe(1);
    expect(up.stdout).not.toMatch(/healthy|stack up/);
    expect(up.stderr).toContain('crash failed: exited with code 3');
    expect(up.stderr).toContain('crash: no config file');
  });

  it('a crash loop (restart: always): exit 1 at its third crash, not "healthy"', async () => {
    // A shell, not Node: each run must end within RUNNING_SETTLE_MS (250 ms), or core rightly calls
    // it running; a loaded CI machine once took Node longer than that to start and exit.
    const core = project({
      loop: { command: '/bin/sh', args: ['-c', "echo 'loop: boom' >&2; exit 3"], compose: { availability: { restart: 'always', backoff_seconds: 1 } } },
    });
    const up = await core('up', '-d');
    expect(up.code, up.stdout + up.stderr).toBe(1);
    expect(up.stdout).not.toMatch(/healthy|stack up/);
    expect(up.stderr).toContain('loop exited with code 3 before it was up, 3 times in a row (restart 3 scheduled)');
    expect(up.stderr).toContain('loop: boom');
  });

  it('a command that does not exist (spawn ENOENT): exit 1 naming it', async () => {
    const core = project({ ghost: { command: 'no-such-command-core-test' } });
    const up = await core('up', '-d');
    expect(up.code, up.stdout + up.stderr).toBe(1);
    expect(up.stdout).not.toMatch(/healthy|stack up/);
    expect(up.stderr).toContain('ghost failed: could not start: no-such-command-core-test was not found on PATH');
  });

  it('an executable whose interpreter is missing (ENOENT from exec itself): exit 1 naming it', async () => {
    const script = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'core-ghost-')), 'ghost.sh');
    scratch.push(path.dirname(script));
    fs.writeFileSync(script, '#!/no/such/interpreter\n', { mode: 0o755 });
    const core = project({ ghost: { command: script } });
    const up = await core('up', '-d');
    expect(up.code, up.stdout + up.stderr).toBe(1);
    expect(up.stdout).not.toMatch(/healthy|stack up/);
    expect(up.stderr).toMatch(/ghost failed: could not start .*ENOENT/);
  });
});

describe('core up -d: a one-shot job is completed, not "ready in 0 ms" (item 21)', () => {
  const jobs = {
    migrate: node("setTimeout(() => console.log('migrated'), 150)"),
    app: node('setInterval(() => {}, 1000)', { depends_on: { migrate: { condition: 'process_completed_successfully' } } }),
  };

  it('shows the job completed with its exit code and duration, and the service as running', async () => {
    const core = project(jobs);
    const up = await core('up', '-d');
    expect(up.code, up.stderr).toBe(0);
    expect(up.stderr).not.toContain('ready in 0 ms');
    const ran = Number(/migrate completed \(exit code 0\) after (\d+) ms/.exec(up.stderr)?.[1]);
    expect(ran).toBeGreaterThanOrEqual(150);
    expect(up.stderr).toContain('app running (no readiness check)');
    expect(up.stdout).toMatch(/^stack up: 2 services in \d+ ms: 1 running, 1 completed \(/);
    expect(up.stdout).not.toContain('healthy');
    expect((await core('down')).code).toBe(0);

    const json = await core('up', '-d', '--json');
    expect(json.code, json.stderr).toBe(0);
    const services = JSON.parse(json.stdout).services;
    expect(services).toEqual(
      expect.arrayContaining([
        { name: 'migrate', status: 'completed', ready_ms: null, exit_code: 0, duration_ms: expect.any(Number) },
        { name: 'app', status: 'running', ready_ms: null },
      ]),
    );
    expect(services).toHaveLength(2);
  });
});
