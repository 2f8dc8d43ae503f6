/**
 * `is_daemon` on the built-in engine with a real double-forking daemon: its
 * launcher forks a child that starts its own session (setsid), so the daemon
 * is in neither the launcher's process group nor its session, and keeps the
 * launcher's stdout open. `core up -d` sees it Launched all the same, and
 * `core down` leaves no daemon behind: by its `shutdown.command`, or without
 * one by the sweep of the stack's marks (the daemon inherits them).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { stackProcesses } from '../../src/support/proc-scan.js';
import { runCore } from '../helpers/cli.js';
import { alive, waitFor } from '../helpers/e2e.js';

const dirs: string[] = [];
const env = (dir: string) => ({ CORE_ROOT: dir });

afterAll(async () => {
  for (const dir of dirs) {
    await runCore(['down'], { cwd: dir, env: env(dir) });
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

/** `$$$$`: process-compose expands `$$` to `$` at load, so this is the daemon's own `$$`. */
function project(shutdown: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'core-pc-daemon-'));
  dirs.push(dir);
  fs.writeFileSync(
    path.join(dir, 'process-compose.yaml'),
    `version: "0.5"
processes:
  daemon:
    command: "(setsid sh -c 'echo $$$$ > daemon.pid; echo daemon says hi; exec sleep 60' &); echo launcher done"
    is_daemon: true
${shutdown}    readiness_probe:
      exec: { command: "test -s daemon.pid" }
      period_seconds: 1
`,
  );
  return dir;
}

async function upAndFindDaemon(dir: string): Promise<{ pid: number; stderr: string }> {
  const up = await runCore(['up', '-f', 'process-compose.yaml', '-d'], { cwd: dir, env: env(dir) });
  expect(up.code, up.stderr).toBe(0);
  const status = await runCore(['status', '--json'], { cwd: dir, env: env(dir) });
  const processes = JSON.parse(status.stdout).processes as { name: string; status: string; health: string }[];
  // Launched though the daemon still holds the launcher's stdout open.
  expect(processes.find((p) => p.name === 'daemon')).toMatchObject({ status: 'Launched', health: 'healthy' });
  const pid = Number(fs.readFileSync(path.join(dir, 'daemon.pid'), 'utf8'));
  expect(alive(pid)).toBe(true);
  // Its own session: no signal to the launcher's group reaches it.
  expect(fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ')[3]).toBe(String(pid));
  const logs = await waitFor('the daemon output in the log', async () => {
    const out = (await runCore(['logs', 'daemon'], { cwd: dir, env: env(dir) })).stdout;
    return out.includes('daemon says hi') ? out : undefined;
  });
  expect(logs).toContain('launcher done');
  return { pid, stderr: up.stderr };
}

describe('is_daemon', () => {
  it('core down stops the daemon with its shutdown.command and leaves nothing', { timeout: 30_000 }, async () => {
    const dir = project('    shutdown:\n      command: "kill $(cat daemon.pid) && echo stopped > stopped.txt"\n');
    const { pid, stderr } = await upAndFindDaemon(dir);
    expect(stderr).not.toContain('is_daemon');
    const down = await runCore(['down'], { cwd: dir, env: env(dir) });
    expect(down.code, down.stderr).toBe(0);
    expect(fs.readFileSync(path.join(dir, 'stopped.txt'), 'utf8')).toBe('stopped\n');
    await waitFor(`daemon ${pid} gone`, () => !alive(pid) || undefined, 5_000);
    expect(stackProcesses(path.join(dir, '.core-stack'))).toEqual([]);
  });

  it('without a shutdown.command: a warning at load naming file and key, and core down still leaves no daemon', { timeout: 30_000 }, async () => {
    const dir = project('');
    const { pid, stderr } = await upAndFindDaemon(dir);
    expect(stderr).toMatch(/process-compose\.yaml.*processes\.daemon\.is_daemon/);
    const down = await runCore(['down'], { cwd: dir, env: env(dir) });
    expect(down.code, down.stderr).toBe(0);
    await waitFor(`daemon ${pid} gone`, () => !alive(pid) || undefined, 5_000);
    expect(stackProcesses(path.join(dir, '.core-stack'))).toEqual([]);
  });

  it('without a shutdown.command: core stop of the daemon alone sweeps what it left', { timeout: 30_000 }, async () => {
    const dir = project('');
    const { pid } = await upAndFindDaemon(dir);
    const stop = await runCore(['stop', 'daemon'], { cwd: dir, env: env(dir) });
    expect(stop.code, stop.stderr).toBe(0);
    await waitFor(`daemon ${pid} gone`, () => !alive(pid) || undefined, 5_000);
    expect((await runCore(['down'], { cwd: dir, env: env(dir) })).code).toBe(0);
  });
});
