/**
 * process-compose's launcher (engines/process-compose/launch.ts) behind the one
 * interface, with a fake `process-compose` on PATH: a small Node program that
 * answers `version`, and for `up` serves the REST routes `core` uses on the
 * `-u` socket until `POST /project/stop`. No real binary is needed (the interop
 * tests cover the real one where it exists), so this runs everywhere: the
 * provisioning from PATH, the state file naming process-compose, the one
 * `ReadyResult`, a detached failure stopping what it started, and `core down`'s
 * `stopAll` through `connectEngine`.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { findStack } from '../../src/control/connect.js';
import { loadState } from '../../src/control/state-file.js';
import { connectEngine, loadLauncher } from '../../src/engines/index.js';
import type { StackPlan } from '../../src/plan/types.js';
import { loadSettings } from '../../src/support/load-settings.js';
import { isSameProcess } from '../../src/support/proc.js';
import { FAKE_PROCESS_COMPOSE as FAKE } from '../helpers/fake-process-compose.js';
import { doc } from './fakes.js';

const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

function project(mode: 'ok' | 'fail') {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'core-pc-launcher-'));
  cleanup.push(() => fs.rmSync(dir, { recursive: true, force: true }));
  fs.mkdirSync(path.join(dir, 'services'));
  fs.mkdirSync(path.join(dir, 'bin'));
  fs.writeFileSync(path.join(dir, 'bin', 'process-compose'), FAKE, { mode: 0o755 });
  const settings = loadSettings(dir, { CORE_ROOT: dir, PATH: `${path.join(dir, 'bin')}:${process.env.PATH}`, HOME: dir, FAKE_PC_MODE: mode });
  const plan = { stackDir: settings.stackDir, services: [] } as unknown as StackPlan;
  return { dir, settings, plan, generated: { doc: doc({ app: {} }), files: [] } };
}

/** A guardian that exits at once: the fake process-compose starts no service to guard. */
const SELF = [process.execPath, '-e', '0', '--'];

async function gone(pid: number): Promise<boolean> {
  const deadline = Date.now() + 5000;
  while (isSameProcess({ pid }) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
  return !isSameProcess({ pid });
}

describe("process-compose's launcher, with a fake process-compose on PATH", () => {
  it('detached: provisions it from PATH, records it as the supervisor, answers with the ReadyResult; stopAll stops it', async () => {
    const { settings, plan, generated } = project('ok');
    const launcher = await loadLauncher('process-compose');
    const notes: string[] = [];
    const stack = await launcher.launch({ settings, plan, generated, targets: ['app'], timeoutMs: 5000, self: SELF, detach: true, note: (line) => notes.push(line) });
    expect(await stack.waitReady()).toEqual({ ok: true, outcomes: [{ name: 'app', status: 'running' }] });
    expect(fs.readFileSync(path.join(settings.stackDir, 'process-compose.yaml'), 'utf8')).toContain('app');
    const loaded = loadState(path.join(settings.stackDir, 'state.json'));
    expect(loaded.kind === 'ok' && loaded.state.engine).toBe('process-compose');
    const supervisor = loaded.kind === 'ok' ? loaded.state.supervisor.pid : 0;
    expect(isSameProcess({ pid: supervisor })).toBe(true);

    const engine = connectEngine(findStack(settings.stackDir));
    expect(engine.name).toBe('process-compose');
    expect((await engine.snapshot()).map((p) => p.name)).toEqual(['app']);
    await engine.stopAll();
    expect(await gone(supervisor)).toBe(true);
  });

  it('detached: a target that failed is named with its last log lines, and process-compose has been stopped before the answer', async () => {
    const { settings, plan, generated } = project('fail');
    const launcher = await loadLauncher('process-compose');
    const stack = await launcher.launch({ settings, plan, generated, targets: ['app'], timeoutMs: 5000, self: SELF, detach: true, note: () => {} });
    const loaded = loadState(path.join(settings.stackDir, 'state.json'));
    const supervisor = loaded.kind === 'ok' ? loaded.state.supervisor.pid : 0;
    expect(await stack.waitReady()).toEqual({ ok: false, name: 'app', message: 'app failed (exit code 3)', lastProbeError: null, lastLines: ['app: cannot open its database'] });
    expect(isSameProcess({ pid: supervisor })).toBe(false);
  });
});
