/**
 * No process left behind (issue 9, items 7, 8 and 13) with tiny services: the
 * supervisor and guardian killed, the state file or all of `.core-stack`
 * removed while the stack runs; a service that double-forks a daemon; the
 * guardian's environment. Survivors are counted by the stack's mark and,
 * independently, by their working folder in /proc.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { ControlClient } from '../../src/control/client.js';
import { alive, waitFor } from '../helpers/e2e.js';
import { byCwd, byMark, cmdline, coreProcesses, daemonizer, killLeftovers, removeTinyStack, sleeper, tinyStack } from '../helpers/tiny-stack.js';

const OFFSET = 6500;
const SECRET = 'hunter2-not-for-the-guardian';
const stack = tinyStack({ alpha: sleeper(), beta: sleeper(), daemon: daemonizer() }, OFFSET, { SOME_API_TOKEN: 'token-from-the-shell' });
fs.writeFileSync(path.join(stack.dir, '.env'), `CORE_POCKETBASE_ADMIN_PASSWORD=${SECRET}\nMY_DOTENV_SETTING=from-dotenv\n`);

const statePath = path.join(stack.stackDir, 'state.json');
const state = () => JSON.parse(fs.readFileSync(statePath, 'utf8'));
const daemons = () => byCwd(stack.work).filter((pid) => cmdline(pid) === 'sleep 7392');
const left = () => ({ byMark: byMark(stack).length, byCwd: byCwd(stack.work).length });
const environ = (pid: number) => fs.readFileSync(`/proc/${pid}/environ`, 'utf8');

async function up(): Promise<{ supervisor: number; guardian: number }> {
  const result = await stack.core('up', '-d');
  expect(result.code, result.stderr).toBe(0);
  // The daemon is forked by a shell after that shell was seen started: wait for it.
  await waitFor('the double-forked daemon', () => daemons().length === 1 || undefined);
  const { supervisor, guardian } = state();
  return { supervisor: supervisor.pid, guardian };
}

async function downLeavesNothing(): Promise<string> {
  const down = await stack.core('down');
  expect(down.code, down.stderr).toBe(0);
  expect(left()).toEqual({ byMark: 0, byCwd: 0 });
  await waitFor('no supervisor or guardian left', () => coreProcesses(stack).length === 0 || undefined, 5_000);
  const status = await stack.core('status');
  expect([status.code, status.stdout]).toEqual([0, 'not running\n']);
  return down.stdout;
}

beforeEach(async () => {
  // Each test starts from nothing: a failed one must not fail the next.
  await stack.core('down');
  killLeftovers(stack);
  fs.rmSync(stack.stackDir, { recursive: true, force: true });
  await waitFor('a clean start', () => (left().byCwd === 0 && coreProcesses(stack).length === 0) || undefined, 5_000);
});

afterAll(async () => {
  await stack.core('down');
  removeTinyStack(stack);
});

describe('survivors of a dead control plane (item 7)', () => {
  it('supervisor and guardian SIGKILLed: status lists what is left and points to core down (exit 1, also --json); down stops it all', async () => {
    const { supervisor, guardian } = await up();
    process.kill(guardian, 'SIGKILL');
    process.kill(supervisor, 'SIGKILL');
    await waitFor('supervisor gone', () => !alive(supervisor) || undefined);
    expect(left().byCwd).toBe(4); // alpha, beta, daemon and its daemon

    const status = await stack.core('status');
    expect(status.code).toBe(1);
    expect(status.stdout).toContain('not running, but 4 processes of this stack are left; stop them with `core down`');
    for (const name of ['alpha', 'beta', 'daemon']) expect(status.stdout).toMatch(new RegExp(`^\\d+ +${name} +sleep 739`, 'm'));
    const json = await stack.core('status', '--json');
    expect(json.code).toBe(1);
    const report = JSON.parse(json.stdout);
    expect(report.running).toBe(false);
    expect(report.survivors.map((s: { process: string }) => s.process).sort()).toEqual(['alpha', 'beta', 'daemon', 'daemon']);
    expect(report.survivors.every((s: { pid: number; command: string }) => s.pid > 1 && s.command.startsWith('sleep 739'))).toBe(true);

    // The recorded groups (alpha, beta, daemon's shell), then the daemon found by its mark alone.
    expect(await downLeavesNothing()).toContain('(3 process groups left by a dead supervisor, 1 stray process of the stack)');
  }, 30_000);

  it('state file deleted, then the supervisor SIGKILLed: the guardian still stops everything (no state file needed)', async () => {
    const { supervisor } = await up();
    fs.rmSync(statePath);
    process.kill(supervisor, 'SIGKILL');
    await waitFor('every process of the stack gone, by mark and by folder', () => (left().byMark === 0 && left().byCwd === 0) || undefined, 10_000);
    await downLeavesNothing();
  }, 30_000);

  it('state file deleted, supervisor and guardian SIGKILLed: status reports, down stops', async () => {
    const { supervisor, guardian } = await up();
    fs.rmSync(statePath);
    process.kill(guardian, 'SIGKILL');
    process.kill(supervisor, 'SIGKILL');
    await waitFor('supervisor gone', () => !alive(supervisor) || undefined);
    const status = await stack.core('status');
    expect(status.code).toBe(1);
    expect(status.stdout).toContain('core down');
    expect(await downLeavesNothing()).toContain('stray processes');
  }, 30_000);

  it('.core-stack removed while running: status lists the supervisor and its services; down stops the supervisor, then everything', async () => {
    const { supervisor, guardian } = await up();
    // The supervisor may be writing a file in it meanwhile (ENOTEMPTY, or the folder made again
    // by that write): as a user would, `rm -rf` again until it is gone, for at most 2 s.
    await waitFor(
      '.core-stack removed',
      () => {
        try {
          fs.rmSync(stack.stackDir, { recursive: true, force: true });
          return true;
        } catch {
          return undefined;
        }
      },
      2_000,
      10,
    );
    const status = await stack.core('status', '--json');
    expect(status.code).toBe(1);
    const report = JSON.parse(status.stdout);
    expect(report.survivors.find((s: { role: string }) => s.role === 'supervisor')?.pid).toBe(supervisor);
    expect(report.survivors.filter((s: { role: string }) => s.role === 'service')).toHaveLength(4);
    await downLeavesNothing();
    expect(alive(supervisor)).toBe(false);
    expect(alive(guardian)).toBe(false);
  }, 30_000);
});

describe('double-forking daemons (item 8)', () => {
  it('a restart, and a stop, of the service also stop the daemon it forked out of its group; down leaves nothing', async () => {
    await up();
    const [first] = daemons();
    const restart = await stack.core('restart', 'daemon');
    expect(restart.code, restart.stderr).toBe(0);
    await waitFor('the old daemon gone and a new one started', () => (!alive(first!) && daemons().length === 1) || undefined, 10_000);
    const [second] = daemons();
    expect(second).not.toBe(first);

    await new ControlClient(path.join(stack.stackDir, 'core.sock')).stop('daemon');
    await waitFor('the daemon of the stopped service gone', () => daemons().length === 0 || undefined, 10_000);
    expect(byCwd(stack.work).map(cmdline).sort()).toEqual(['sleep 7391', 'sleep 7391']); // alpha and beta untouched

    await stack.core('restart', 'daemon');
    await waitFor('the daemon back', () => daemons().length === 1 || undefined);
    expect(await downLeavesNothing()).toMatch(/^stopped in \d+ ms\n$/); // the supervisor swept it itself
  }, 30_000);
});

describe('the guardian (item 13)', () => {
  it('holds no secret and nothing from .env in its environment; the services still get .env', async () => {
    const { guardian } = await up();
    expect(environ(guardian)).toBe('');
    const service = byCwd(stack.work)[0]!;
    expect(environ(service)).toContain('MY_DOTENV_SETTING=from-dotenv');
    expect(environ(service)).not.toContain(SECRET);
    await downLeavesNothing();
  }, 30_000);
});
