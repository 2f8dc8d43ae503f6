/**
 * The generated file is a promise: the real process-compose runs it with the
 * same health-ordered behaviour. Same stack, same client, both engines.
 */
import fs from 'node:fs';
import path from 'node:path';
import { connect } from '@nats-io/transport-node';
import { afterAll, describe, expect, it } from 'vitest';
import { runCore } from '../helpers/cli.js';
import { alive, e2eProject, isListening, waitFor } from '../helpers/e2e.js';
import { PROCESS_COMPOSE, pathWithProcessCompose } from '../helpers/process-compose.js';

const OFFSET = 23000;
const HOSTILE = ['$(touch PWNED)', '`touch PWNED`', '{{.}}', '$HOME', '${HOME}', 'two\nlines', `"double" and 'single'`, '$$', '\\$x', '; touch PWNED #'];
const hostileEnv = Object.fromEntries(HOSTILE.map((value, i) => [`HOSTILE_${i}`, value]));

const project = e2eProject(OFFSET, {
  hostile: () => ({
    name: 'hostile',
    process: {
      command: 'node',
      args: [
        '-e',
        "require('fs').writeFileSync(process.argv[1], JSON.stringify({ env: Object.fromEntries(Object.entries(process.env).filter(([k]) => k.startsWith('HOSTILE_'))), argv: process.argv.slice(2) })); console.log('written'); setInterval(() => {}, 1000)",
        '${data}/hostile/received.json',
        ...HOSTILE.map((_, i) => `\${env.HOSTILE_${i}:-}`),
      ],
      env: Object.fromEntries(HOSTILE.map((_, i) => [`HOSTILE_${i}`, `\${env.HOSTILE_${i}:-}`])),
      compose: { ready_log_line: 'written' },
    },
  }),
  broken: () => ({
    name: 'broken',
    process: { command: 'node', args: ['-e', "console.log('broken fails at once'); process.exit(3)"], compose: { readiness_probe: { tcp_socket: { port: '${port.tcp}' } } } },
    ports: { tcp: { port: 9100, protocol: 'tcp' } },
  }),
  // A one-shot job and the service that waits for it to succeed (issue 9 item 22).
  migrate: () => ({ name: 'migrate', process: { command: 'node', args: ['-e', "setTimeout(() => console.log('migrated'), 100)"] } }),
  migrated: () => ({
    name: 'migrated',
    process: { command: 'node', args: ['-e', 'setInterval(() => {}, 1000)'], compose: { depends_on: { migrate: { condition: 'process_completed_successfully' } } } },
  }),
  dependent: () => ({
    name: 'dependent',
    process: { command: 'node', args: ['-e', 'setInterval(() => {}, 1000)'], compose: { depends_on: { broken: { condition: 'process_healthy' } } } },
  }),
});
const env = { ...project.env, PATH: pathWithProcessCompose() };
// process-compose's probes tick in whole seconds: give its commands time.
const core = (...args: string[]) => runCore(args, { cwd: project.dir, env, timeoutMs: 60_000 });
const PORTS = [4222, 8222, 8090, 2015, 2019].map(project.port);

afterAll(async () => {
  await core('down');
});

describe.skipIf(!PROCESS_COMPOSE)(`process-compose engine (${PROCESS_COMPOSE ?? 'not found: set CORE_TEST_PROCESS_COMPOSE'})`, () => {
  it('runs the default stack healthy, reachable, and leaves nothing after down', async () => {
    const up = await core('up', '-d', '--engine', 'process-compose', 'caddy');
    expect(up.code, up.stderr).toBe(0);
    const status = JSON.parse((await core('status', '--json')).stdout);
    expect(status.engine).toBe('process-compose');
    for (const name of ['nats', 'pocketbase', 'caddy']) {
      expect(status.processes.find((p: { name: string }) => p.name === name)).toMatchObject({ status: 'Running', health: 'healthy' });
    }
    const nc = await connect({ servers: `nats://127.0.0.1:${project.port(4222)}`, timeout: 2000 });
    await nc.flush();
    await nc.close();
    expect((await fetch(`http://127.0.0.1:${project.port(2015)}/api/health`)).status).toBe(200);
    const logs = await core('logs', 'nats', '-n', '200');
    expect(logs.stdout).toContain('Server is ready');
    const down = await core('down');
    expect(down.code, down.stderr).toBe(0);
    for (const port of PORTS) expect(await isListening(port), `port ${port}`).toBe(false);
  }, 90_000);

  it('reaps the services within 2 s when process-compose is SIGKILLed (it would orphan them)', async () => {
    expect((await core('up', '-d', '--engine', 'process-compose', 'nats')).code).toBe(0);
    const state = JSON.parse(fs.readFileSync(path.join(project.dir, '.core-stack/state.json'), 'utf8'));
    const nats = state.processes.nats.pid as number;
    const killedAt = Date.now();
    process.kill(state.supervisor.pid, 'SIGKILL');
    await waitFor('nats gone', () => !alive(nats) || undefined, 5000, 10);
    expect(Date.now() - killedAt).toBeLessThan(2000);
    expect((await core('down')).code).toBe(0);
  }, 60_000);
});

describe.each(PROCESS_COMPOSE ? ['builtin', 'process-compose'] : ['builtin'])('%s engine', (engine) => {
  it('does not start a service whose dependency failed', async () => {
    const result = await core('up', '-d', '--engine', engine, '--timeout', '20', 'dependent');
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/broken|dependent/);
    expect(result.stderr).not.toMatch(/^\s+at /m);
    const status = JSON.parse((await core('status', '--json')).stdout);
    expect(status.running).toBe(false);
    await core('down');
  }, 60_000);

  it('counts a one-shot job that succeeds as completed, not as a failure', async () => {
    const up = await core('up', '-d', '--engine', engine, '--json', 'migrated');
    expect(up.code, up.stderr).toBe(0);
    expect(JSON.parse(up.stdout).services).toEqual([
      { name: 'migrate', status: 'completed', ready_ms: null, exit_code: 0, duration_ms: expect.any(Number) },
      { name: 'migrated', status: 'running', ready_ms: null },
    ]);
    expect((await core('down')).code).toBe(0);
  }, 60_000);

  it('passes hostile values byte for byte and executes nothing', async () => {
    const dir = path.join(project.dir, '.data/hostile');
    fs.rmSync(path.join(dir, 'received.json'), { force: true });
    const up = await runCore(['up', '-d', '--engine', engine, 'hostile'], { cwd: project.dir, env: { ...env, ...hostileEnv }, timeoutMs: 60_000 });
    expect(up.code, up.stderr).toBe(0);
    const received = JSON.parse(fs.readFileSync(path.join(dir, 'received.json'), 'utf8'));
    expect(received.env).toEqual(hostileEnv);
    expect(received.argv).toEqual(HOSTILE);
    for (const where of [project.dir, dir]) expect(fs.existsSync(path.join(where, 'PWNED'))).toBe(false);
    expect((await core('down')).code).toBe(0);
  }, 60_000);
});
