/**
 * Issue 9, item 1: the stack folder on a full (then read-only) 20 MB tmpfs, the
 * real stack, `core restart caddy` a dozen times. Every write of the supervisor
 * fails (core.log, the services' logs, state.json); it must drop and count log
 * lines, retry the state file, keep every service running, and `core status`
 * must say what is wrong. Root only (mount); skipped elsewhere.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ControlClient } from '../../src/control/client.js';
import { alive, e2eProject, waitFor } from '../helpers/e2e.js';
import { processesIn } from '../helpers/stack-processes.js';

const isRoot = process.platform === 'linux' && process.getuid?.() === 0;
const OFFSET = 5600;
const project = e2eProject(OFFSET);
const stackDir = path.join(project.dir, '.core-stack');
const state = () => JSON.parse(fs.readFileSync(path.join(stackDir, 'state.json'), 'utf8'));
const client = () => new ControlClient(path.join(stackDir, 'core.sock'), 3000);
const mount = (...args: string[]) => execFileSync('mount', args, { stdio: 'pipe' });
let mounted = false;
let readOnly = false;
const side = `${project.dir}/side`;

/** Take the read-only layer off again (see the EROFS test). */
function undoReadOnly(): void {
  if (!readOnly) return;
  readOnly = false;
  execFileSync('umount', [path.join(stackDir, 'core.sock')]);
  execFileSync('umount', [stackDir]);
  execFileSync('umount', [side]);
}

/** Fill the file system holding `dir` until a write fails with ENOSPC. */
function fill(dir: string): string {
  const filler = path.join(dir, 'filler');
  const fd = fs.openSync(filler, 'w');
  const chunk = Buffer.alloc(1024 * 1024, 1);
  try {
    for (let i = 0; i < 64; i++) fs.writeSync(fd, chunk);
    throw new Error('the tmpfs did not fill up');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error;
  } finally {
    fs.closeSync(fd);
  }
  return filler;
}

/** `core restart <name>`, then wait until the new process is healthy. */
async function restart(name: string): Promise<void> {
  const before = (await client().process(name)).pid;
  const restarted = await project.core('restart', name);
  expect(restarted.code, restarted.stderr).toBe(0);
  await waitFor(`${name} restarted and healthy`, async () => {
    const now = await client().process(name);
    return now.pid !== before && now.is_ready === 'Ready' ? now : undefined;
  });
}

/** utime + stime of a process, in clock ticks (usually 100 per second). */
function cpuTicks(pid: number): number {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[11]) + Number(fields[12]);
}

function expectAllAlive(pids: { supervisor: number; guardian: number; services: number[] }): void {
  expect(alive(pids.supervisor), 'supervisor').toBe(true);
  expect(alive(pids.guardian), 'guardian').toBe(true);
  for (const pid of pids.services) expect(alive(pid), `service pid ${pid}`).toBe(true);
}

beforeAll(() => {
  if (!isRoot) return;
  fs.mkdirSync(stackDir, { mode: 0o700 });
  mount('-t', 'tmpfs', '-o', 'size=20m,mode=0700', 'tmpfs', stackDir);
  mounted = true;
});

afterAll(async () => {
  if (!mounted) return;
  undoReadOnly();
  await project.core('down', '--timeout', '20');
  for (const pid of processesIn(project.dir)) process.kill(pid, 'SIGKILL');
  execFileSync('umount', ['-l', stackDir]);
  fs.rmSync(project.dir, { recursive: true, force: true });
});

describe.skipIf(!isRoot)('a full or read-only stack folder (item 1)', () => {
  it('keeps the stack running through a dozen restarts on a full disk, and status says what is wrong', async () => {
    const up = await project.core('up', '-d');
    expect(up.code, up.stderr).toBe(0);
    const { supervisor, guardian, processes } = state();
    const steady = { supervisor: supervisor.pid, guardian, services: [processes.nats.pid, processes.pocketbase.pid] };

    fill(stackDir);
    for (let i = 0; i < 12; i++) await restart('caddy');
    expectAllAlive(steady);

    // The state file is retried with a backoff, not in a loop: over 2 quiet seconds the
    // supervisor uses a small share of one CPU (a busy retry would use all of it).
    const before = cpuTicks(supervisor.pid);
    await sleep(2000);
    expect(cpuTicks(supervisor.pid) - before).toBeLessThan(40);

    const status = await project.core('status');
    expect(status.code, status.stderr).toBe(0);
    expect(status.stdout).toMatch(new RegExp(`warning: \\d+ log lines? dropped \\(ENOSPC on ${stackDir}/logs\\)`));
    expect(status.stdout).toContain(`warning: state file ${stackDir}/state.json not saved since`);
    const json = JSON.parse((await project.core('status', '--json')).stdout);
    expect(json.processes.map((p: { name: string; health: string }) => [p.name, p.health])).toContainEqual(['caddy', 'healthy']);
    const kinds = Object.fromEntries(json.problems.map((p: { kind: string }) => [p.kind, p]));
    expect(kinds['logs-dropped']).toMatchObject({ code: 'ENOSPC', path: `${stackDir}/logs` });
    expect(kinds['logs-dropped'].lines).toBeGreaterThan(12);
    expect(kinds['state-not-saved']).toMatchObject({ code: 'ENOSPC', path: `${stackDir}/state.json` });
  }, 120_000);

  it('and on a read-only one (EROFS); once writable again the state file is saved again', async () => {
    const { supervisor, guardian } = state();
    // NATS is restarted here, not Caddy: Caddy creates its admin socket in the stack
    // folder at start, which a read-only folder cannot hold (it would fail, as it should).
    // (Live pids: the state file may be stale after the full disk of the test before.)
    const steady = { supervisor: supervisor.pid, guardian, services: [(await client().process('caddy')).pid, (await client().process('pocketbase')).pid] };
    fs.rmSync(path.join(stackDir, 'filler'), { force: true });
    // `remount,ro` is refused while the supervisor holds its logs open ("busy"), so a
    // read-only tmpfs goes over the folder instead, holding copies of its files and
    // the live socket bound in: every new file the supervisor writes fails with EROFS.
    fs.mkdirSync(side);
    mount('--bind', stackDir, side);
    mount('-t', 'tmpfs', '-o', 'size=1m,mode=0700', 'tmpfs', stackDir);
    // NATS reads its config from here when it restarts: copy all but the sockets and the logs.
    fs.cpSync(side, stackDir, { recursive: true, filter: (from) => path.relative(side, from) !== 'logs' && !fs.statSync(from).isSocket() });
    fs.writeFileSync(path.join(stackDir, 'core.sock'), '');
    mount('--bind', path.join(side, 'core.sock'), path.join(stackDir, 'core.sock'));
    mount('-o', 'remount,ro', stackDir);
    readOnly = true;

    for (let i = 0; i < 4; i++) await restart('nats');
    expectAllAlive(steady);
    const json = JSON.parse((await project.core('status', '--json')).stdout);
    const kinds = Object.fromEntries(json.problems.map((p: { kind: string }) => [p.kind, p]));
    expect(kinds['state-not-saved']).toMatchObject({ code: 'EROFS', path: `${stackDir}/state.json` });

    undoReadOnly();
    await restart('nats');
    const saved = await waitFor('the state file saved again', async () => {
      const now = JSON.parse((await project.core('status', '--json')).stdout);
      return now.problems.some((p: { kind: string }) => p.kind === 'state-not-saved') ? undefined : now;
    });
    expect(saved.running).toBe(true);
    expect(state().processes.nats.pid).toBe((await client().process('nats')).pid);
    expectAllAlive(steady);
  }, 120_000);
});
