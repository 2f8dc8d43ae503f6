/**
 * Faults with the real stack, on ports of its own (offset 20000): a service
 * killed, the supervisor killed, a port taken, a second `up`, a service that
 * never becomes ready.
 */
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ControlClient } from '../../src/control/client.js';
import { alive, e2eProject, waitFor } from '../helpers/e2e.js';

const OFFSET = 20000;
const project = e2eProject(OFFSET, {
  stuck: () => ({
    $schema: '../../schema/service.schema.json',
    name: 'stuck',
    process: {
      command: 'node',
      args: ['-e', "console.log('stuck is starting but will never listen'); setInterval(() => {}, 1000)"],
      compose: { readiness_probe: { http_get: { url: 'http://127.0.0.1:${port.http}/health' }, timeout_seconds: 1 } },
    },
    ports: { http: { port: 9999, protocol: 'http' } },
  }),
});
const state = () => JSON.parse(fs.readFileSync(path.join(project.dir, '.core-stack/state.json'), 'utf8'));
const client = () => new ControlClient(path.join(project.dir, '.core-stack/core.sock'));

afterAll(async () => {
  await project.core('down');
});

describe('faults', () => {
  it('refuses to start when a port is taken, naming port, service and holder, and starts nothing', async () => {
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(project.port(8222), '127.0.0.1', resolve));
    try {
      const result = await project.core('up', '-d', 'nats');
      expect(result.code).toBe(2);
      expect(result.stderr).toContain(`port ${project.port(8222)} (nats.monitor on 127.0.0.1) is in use by pid ${process.pid}`);
      expect(fs.existsSync(path.join(project.dir, '.core-stack/state.json'))).toBe(false);
    } finally {
      blocker.close();
    }
  });

  it('restarts a SIGKILLed service and leaves its dependents alone; a second up changes nothing', async () => {
    const up = await project.core('up', '-d', 'caddy');
    expect(up.code, up.stderr).toBe(0);
    const first = state().processes;

    // Issue 10: a second `up` applies the (unchanged) manifests instead of being refused.
    const second = await project.core('up', '-d', 'caddy');
    expect(second.code, second.stderr).toBe(0);
    expect(second.stdout).toContain('no change');

    const before = state().processes;
    expect(before).toEqual(first);
    process.kill(before.pocketbase.pid, 'SIGKILL');
    const restarted = await waitFor('pocketbase healthy again', async () => {
      const pb = await client().process('pocketbase');
      return pb.restarts >= 1 && pb.is_ready === 'Ready' && pb.pid !== before.pocketbase.pid ? pb : undefined;
    });
    expect(restarted.status).toBe('Running');
    const caddy = await client().process('caddy');
    expect(caddy.pid).toBe(before.caddy.pid);
    expect(caddy.restarts).toBe(0);
    expect((await client().process('nats')).pid).toBe(before.nats.pid);

    const restart = await project.core('restart', 'caddy');
    expect(restart.code, restart.stderr).toBe(0);
    await waitFor('caddy restarted and healthy', async () => {
      const c = await client().process('caddy');
      return c.pid !== before.caddy.pid && c.is_ready === 'Ready' ? c : undefined;
    });
    expect((await project.core('restart', 'nope')).code).toBe(2);

    const logs = await project.core('logs', 'nats', '-n', '50');
    expect(logs.code).toBe(0);
    expect(logs.stdout).toContain('Server is ready');
  }, 60_000);

  it('leaves no service process 2 s after the supervisor is SIGKILLed', async () => {
    const { supervisor, processes } = state();
    const pids = Object.values(processes).map((p) => (p as { pid: number }).pid);
    expect(pids.length).toBe(3);
    const killedAt = Date.now();
    process.kill(supervisor.pid, 'SIGKILL');
    await waitFor('every service process gone', () => pids.every((pid) => !alive(pid)) || undefined, 5_000, 10);
    expect(Date.now() - killedAt).toBeLessThan(2000);
    const down = await project.core('down');
    expect(down.code).toBe(0);
    expect(down.stdout).toBe('not running\n');
  }, 30_000);

  it('core down stops what a dead supervisor left, when its guardian died too', async () => {
    const up = await project.core('up', '-d', 'nats');
    expect(up.code, up.stderr).toBe(0);
    const { supervisor, guardian, processes } = state();
    process.kill(guardian, 'SIGKILL');
    process.kill(supervisor.pid, 'SIGKILL');
    await waitFor('supervisor gone', () => !alive(supervisor.pid) || undefined);
    expect(alive(processes.nats.pid)).toBe(true);
    const down = await project.core('down');
    expect(down.code, down.stderr).toBe(0);
    expect(down.stdout).toContain('1 process group left by a dead supervisor');
    await waitFor('nats gone', () => !alive(processes.nats.pid) || undefined, 3000);
  }, 30_000);

  it('fails in bounded time when a service never becomes ready, with its probe error and log, and leaves nothing running', async () => {
    const started = Date.now();
    const result = await project.core('up', '-d', 'stuck', '--timeout', '3');
    expect(result.code).toBe(1);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(result.stderr).toContain('stuck');
    expect(result.stderr).toMatch(/last probe error: .*(ECONNREFUSED|refused)/i);
    expect(result.stderr).toContain('stuck is starting but will never listen');
    expect(result.stderr).not.toMatch(/^\s+at /m);
    const status = JSON.parse((await project.core('status', '--json')).stdout);
    expect(status.running).toBe(false);
    expect(Object.keys(state().processes)).toEqual([]);
  }, 30_000);

  it('validates an edited manifest again, though the last validation was cached', async () => {
    expect(fs.existsSync(path.join(project.dir, '.core-stack/manifests.json'))).toBe(true);
    const file = path.join(project.dir, 'services/stuck/service.json');
    const original = fs.readFileSync(file, 'utf8');
    fs.writeFileSync(file, original.replace('"name": "stuck"', '"name": "stuck", "colour": "red"'));
    try {
      const result = await project.core('up', '-d', 'stuck');
      expect(result.code).toBe(2);
      expect(result.stderr).toContain('services/stuck/service.json: unknown key "colour"');
    } finally {
      fs.writeFileSync(file, original);
    }
  });

  it('core up in the foreground: prefixed output, Ctrl-C stops everything with exit 130', async () => {
    const { spawn } = await import('node:child_process');
    const { CORE } = await import('../helpers/cli.js');
    const child = spawn(process.execPath, [CORE, 'up', 'nats'], { cwd: project.dir, env: { ...process.env, CORE_ROOT: project.dir, NO_COLOR: '1', ...project.env } });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    await waitFor('nats ready', () => output.includes('nats ready in') || undefined);
    expect(output).toMatch(/^nats +\| .*Server is ready/m);
    const natsPid = state().processes.nats.pid;
    child.kill('SIGINT');
    const code = await new Promise((resolve) => child.on('exit', resolve));
    expect(code).toBe(130);
    expect(alive(natsPid)).toBe(false);
    expect(JSON.parse((await project.core('status', '--json')).stdout).running).toBe(false);
  }, 30_000);

  it('core nats run: READY line, then a graceful stop on SIGINT', async () => {
    const { spawn } = await import('node:child_process');
    const { CORE } = await import('../helpers/cli.js');
    const child = spawn(process.execPath, [CORE, 'nats', 'run'], { cwd: project.dir, env: { ...process.env, CORE_ROOT: project.dir, ...project.env } });
    let stdout = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    await waitFor('READY line', () => stdout.includes('READY:') || undefined);
    expect(stdout).toContain(`READY: nats nats://127.0.0.1:${project.port(4222)}`);
    const natsPid = state().processes.nats.pid;
    child.kill('SIGINT');
    const code = await new Promise((resolve) => child.on('exit', resolve));
    expect(code).toBe(130);
    expect(alive(natsPid)).toBe(false);
  }, 30_000);
});
