/**
 * Issue 13 under `core up --engine process-compose` (the built CLI, a fake
 * process-compose on PATH): `core metrics` says metrics are not available
 * (exit 2); `core status` shows process-compose's own `cpu` (percent) and
 * `mem` (bytes) fields when it reports them.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCore } from '../helpers/cli.js';
import { FAKE_PROCESS_COMPOSE } from '../helpers/fake-process-compose.js';

const RUNNING = "status: 'Running', is_running: true,";
// The fake's running `app`, with the resource fields process-compose's ProcessState carries.
const WITH_RESOURCES = FAKE_PROCESS_COMPOSE.replace(RUNNING, `${RUNNING} cpu: 25, mem: 12345678,`);

describe('metrics and resources under process-compose', () => {
  let dir: string;
  let env: Record<string, string>;
  const core = (...args: string[]) => runCore(args, { cwd: dir, env, timeoutMs: 20_000 });

  beforeAll(async () => {
    expect(WITH_RESOURCES).not.toBe(FAKE_PROCESS_COMPOSE);
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'core-pc-metrics-'));
    fs.mkdirSync(path.join(dir, 'bin'));
    fs.writeFileSync(path.join(dir, 'bin', 'process-compose'), WITH_RESOURCES, { mode: 0o755 });
    fs.mkdirSync(path.join(dir, 'services', 'app'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'services', 'app', 'service.json'), JSON.stringify({ name: 'app', process: { command: 'sleep', args: ['7395'] } }));
    env = { PATH: `${path.join(dir, 'bin')}:${process.env.PATH}` };
    const up = await core('up', '-d', '--engine', 'process-compose');
    expect(up.code, up.stderr).toBe(0);
  }, 30_000);

  afterAll(async () => {
    await core('down');
    fs.rmSync(dir, { recursive: true, force: true });
  }, 30_000);

  it('core metrics: not available with process-compose, exit 2', async () => {
    const metrics = await core('metrics');
    expect(metrics.code).toBe(2);
    expect(metrics.stderr).toContain('metrics are not available with the process-compose engine');
    expect(metrics.stdout).toBe('');
  });

  it("core status: CPU and MEM from process-compose's own fields", async () => {
    const json = JSON.parse((await core('status', '--json')).stdout) as { processes: { name: string; cpu: number | null; rss_bytes: number | null }[] };
    expect(json.processes.find((p) => p.name === 'app')).toMatchObject({ cpu: 0.25, rss_bytes: 12345678 });
    const table = await core('status');
    expect(table.stdout).toMatch(/^app\s+Running\s+-\s+\d+\s+0\s+\S+\s+25%\s+11\.8M\s/m);
  });
});
