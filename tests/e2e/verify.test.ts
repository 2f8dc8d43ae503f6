/**
 * `core verify` on the real stack (NATS with user-password auth, PocketBase
 * with a superuser, Caddy) plus a tiny user service with a readiness probe and
 * one without: it passes on a healthy stack and leaves nothing behind (checked
 * with the real clients), and names the hop and the error when Caddy is stopped
 * or NATS is SIGSTOPped.
 */
import { connect } from '@nats-io/transport-node';
import { jetstreamManager } from '@nats-io/jetstream';
import PocketBase from 'pocketbase';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';
import os from 'node:os';
import { REPO } from '../helpers/stack.js';
import { runCore } from '../helpers/cli.js';
import { ADMIN, e2eProject, freeOffset, waitFor } from '../helpers/e2e.js';
import { FAKE_PROCESS_COMPOSE } from '../helpers/fake-process-compose.js';

interface Step {
  name: string;
  hop: string;
  ok: boolean;
  ms: number;
  error?: string;
  skipped?: string;
}

const project = e2eProject(await freeOffset(), {
  nats: (m) => ((m.config.auth = 'user-password'), m),
  api: () => ({
    name: 'api',
    process: {
      command: process.execPath,
      args: [path.join(REPO, 'tests/fixtures/engine/http-server.mjs'), '${port.http}', '0'],
      compose: { readiness_probe: { http_get: { url: 'http://127.0.0.1:${port.http}/health' }, period_seconds: 1 } },
    },
    ports: { http: { port: 100, protocol: 'http' } },
  }),
  worker: () => ({ name: 'worker', process: { command: process.execPath, args: ['-e', 'setInterval(() => {}, 60_000)'] } }),
});

const STEPS = [
  'nats: publish/subscribe',
  'nats: jetstream write/read',
  'pocketbase: health',
  'caddy → pocketbase: health',
  'pocketbase: record round trip',
  'api: readiness probe',
  'worker: running',
];

const natsPassword = () => fs.readFileSync(path.join(project.dir, '.data/secrets/nats.password'), 'utf8').trim();

async function verifyJson(...args: string[]): Promise<{ code: number; ok: boolean; steps: Step[]; stderr: string; ms: number }> {
  const started = Date.now();
  const result = await project.core('verify', '--json', ...args);
  const ms = Date.now() - started;
  expect(result.stdout, result.stderr).not.toContain(ADMIN.password);
  expect(result.stdout + result.stderr).not.toContain(natsPassword());
  const { ok, steps } = JSON.parse(result.stdout);
  return { code: result.code, ok, steps, stderr: result.stderr, ms };
}

async function pidOf(name: string): Promise<number> {
  const { processes } = JSON.parse((await project.core('status', '--json')).stdout);
  return processes.find((p: { name: string }) => p.name === name).pid;
}

async function healthy(name: string): Promise<boolean> {
  const { processes } = JSON.parse((await project.core('status', '--json')).stdout);
  return processes.find((p: { name: string }) => p.name === name)?.health === 'healthy';
}

beforeAll(async () => {
  const up = await project.core('up', '-d');
  expect(up.code, up.stderr).toBe(0);
}, 60_000);

afterAll(async () => {
  await project.core('down');
  fs.rmSync(project.dir, { recursive: true, force: true });
}, 60_000);

describe('core verify', () => {
  it('passes on a healthy stack, every step timed, and leaves no stream or collection behind', async () => {
    const { code, ok, steps, stderr } = await verifyJson();
    expect(code, stderr).toBe(0);
    expect(ok).toBe(true);
    expect(steps.map((s) => s.name)).toEqual(STEPS);
    for (const step of steps) {
      expect(step, step.name).toMatchObject({ ok: true });
      expect(step.skipped, step.name).toBeUndefined();
      expect(step.ms, step.name).toBeGreaterThanOrEqual(0);
    }
    expect(steps[0]!.hop).toBe(`client → nats (127.0.0.1:${project.port(4222)})`);
    expect(steps[3]!.hop).toBe(`client → caddy (127.0.0.1:${project.port(2015)}) → pocketbase`);

    const nc = await connect({ servers: `nats://127.0.0.1:${project.port(4222)}`, user: 'core', pass: natsPassword(), timeout: 2000 });
    try {
      const names: string[] = [];
      for await (const name of (await jetstreamManager(nc)).streams.names()) names.push(name);
      expect(names.filter((n) => n.startsWith('CORE_VERIFY'))).toEqual([]);
    } finally {
      await nc.close();
    }
    const pb = new PocketBase(`http://127.0.0.1:${project.port(8090)}`);
    await pb.collection('_superusers').authWithPassword(ADMIN.email, ADMIN.password);
    const collections = await pb.collections.getFullList();
    expect(collections.length).toBeGreaterThan(0);
    expect(collections.map((c) => c.name).filter((n) => n.startsWith('core_verify'))).toEqual([]);
  }, 30_000);

  it('prints a ✓ line per step for a person', async () => {
    const result = await project.core('verify');
    expect(result.code, result.stderr).toBe(0);
    for (const name of STEPS) expect(result.stdout).toMatch(new RegExp(`^✓ ${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} +\\d+ ms$`, 'm'));
    expect(result.stdout).toMatch(/^verified: 7 steps passed in \d+ ms$/m);
  }, 30_000);

  it('with Caddy stopped: exit 1, the failing step names the Caddy hop and the refused connection; NATS still passes', async () => {
    expect((await project.core('stop', 'caddy')).code).toBe(0);
    try {
      const { code, ok, steps } = await verifyJson();
      expect(code).toBe(1);
      expect(ok).toBe(false);
      const failed = steps.filter((s) => !s.ok && !s.skipped);
      expect(failed.map((s) => s.name)).toEqual(['caddy → pocketbase: health']);
      expect(failed[0]!.hop).toBe(`client → caddy (127.0.0.1:${project.port(2015)}) → pocketbase`);
      expect(failed[0]!.error).toMatch(/^connection refused/);
      expect(steps.find((s) => s.name === 'pocketbase: record round trip')).toMatchObject({ ok: false, skipped: expect.stringContaining('not run') });
      for (const name of ['nats: publish/subscribe', 'nats: jetstream write/read', 'pocketbase: health', 'api: readiness probe'])
        expect(
          steps.find((s) => s.name === name),
          name,
        ).toMatchObject({ ok: true });

      const human = await project.core('verify');
      expect(human.code).toBe(1);
      expect(human.stdout).toMatch(/^✗ caddy → pocketbase: health +\d+ ms$/m);
      expect(human.stdout).toMatch(/^✓ nats: publish\/subscribe +\d+ ms$/m);
      expect(human.stdout).toContain(`hop:   client → caddy (127.0.0.1:${project.port(2015)}) → pocketbase`);
    } finally {
      expect((await project.core('start', 'caddy')).code).toBe(0);
    }
  }, 30_000);

  it('with NATS SIGSTOPped: exit 1 within its step timeout, naming the NATS hop and "timed out"; passes again once resumed', async () => {
    const pid = await pidOf('nats');
    process.kill(pid, 'SIGSTOP');
    let result: Awaited<ReturnType<typeof verifyJson>>;
    try {
      result = await verifyJson('--timeout', '2');
    } finally {
      process.kill(pid, 'SIGCONT');
    }
    expect(result.code).toBe(1);
    // Bounded: a 2 s step timeout, not a hang (the CLI's own start-up and the other steps on top).
    expect(result.ms).toBeLessThan(10_000);
    const failed = result.steps.filter((s) => !s.ok && !s.skipped);
    expect(failed.map((s) => s.name)).toEqual(['nats: publish/subscribe']);
    expect(failed[0]!.hop).toBe(`client → nats (127.0.0.1:${project.port(4222)})`);
    expect(failed[0]!.error).toMatch(/timed out after 2000 ms/);
    expect(result.steps.find((s) => s.name === 'nats: jetstream write/read')).toMatchObject({ ok: false, skipped: expect.stringContaining('not run') });
    expect(result.steps.find((s) => s.name === 'pocketbase: record round trip')).toMatchObject({ ok: true });

    // The supervisor may have counted a failed probe meanwhile: NATS healthy again is a real state to wait on.
    await waitFor('nats healthy again', () => healthy('nats'), 15_000, 100);
    const again = await verifyJson();
    expect(again.code, JSON.stringify(again.steps)).toBe(0);
    expect(again.ok).toBe(true);
  }, 45_000);

  it('a superuser password other than the one PocketBase started with: the sign-in fails, named, and no password is printed', async () => {
    const wrong = 'not-the-password-42';
    const result = await runCore(['verify', '--json', 'caddy'], { cwd: project.dir, env: { ...project.env, CORE_POCKETBASE_ADMIN_PASSWORD: wrong } });
    expect(result.code).toBe(1);
    const step = JSON.parse(result.stdout).steps.find((s: Step) => s.name === 'pocketbase: record round trip');
    expect(step.ok).toBe(false);
    expect(step.error).toMatch(/^sign in as superuser admin@example\.com: HTTP 400: .*Failed to authenticate.*CORE_POCKETBASE_ADMIN_PASSWORD/);
    for (const secret of [wrong, ADMIN.password]) expect(result.stdout + result.stderr).not.toContain(secret);
  });

  it('bad input: an unknown flag or service exits 2 and changes nothing', async () => {
    expect((await project.core('verify', '--bogus')).code).toBe(2);
    const unknown = await project.core('verify', 'nope');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('no service named "nope"');
    expect((await project.core('verify', '--timeout', '0')).code).toBe(2);
  });

  it('verifies only the services named', async () => {
    const { code, steps } = await verifyJson('nats', 'api');
    expect(code).toBe(0);
    expect(steps.map((s) => s.name)).toEqual(['nats: publish/subscribe', 'nats: jetstream write/read', 'api: readiness probe']);
  });
});

describe('core verify under the process-compose engine (a fake process-compose on PATH)', () => {
  it("asks the engine only for each process's state: a running service without a probe passes", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'core-verify-pc-'));
    fs.mkdirSync(path.join(dir, 'services', 'app'), { recursive: true });
    fs.mkdirSync(path.join(dir, 'bin'));
    fs.writeFileSync(path.join(dir, 'bin', 'process-compose'), FAKE_PROCESS_COMPOSE, { mode: 0o755 });
    fs.writeFileSync(path.join(dir, 'services', 'app', 'service.json'), JSON.stringify({ name: 'app', process: { command: 'node', args: ['-e', 'setInterval(() => {}, 1000)'] } }));
    const core = (...args: string[]) => runCore(args, { cwd: dir, env: { PATH: `${path.join(dir, 'bin')}:${process.env.PATH}` } });
    try {
      const up = await core('up', '-d', '--engine', 'process-compose');
      expect(up.code, up.stderr).toBe(0);
      const result = await core('verify', '--json');
      expect(result.code, result.stderr).toBe(0);
      expect(JSON.parse(result.stdout).steps).toEqual([{ name: 'app: running', hop: 'core status → app', ok: true, ms: expect.any(Number) }]);
    } finally {
      await core('down');
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 30_000);
});
