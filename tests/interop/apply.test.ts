/**
 * Issue 10 under --engine process-compose: `core up` on a running stack has
 * process-compose reload the rewritten compose file (its own diff). A no-op
 * restarts nothing; one changed service is the only one restarted. Skipped
 * without a process-compose binary (see tests/helpers/process-compose.ts).
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ControlClient } from '../../src/control/client.js';
import { runCore } from '../helpers/cli.js';
import { e2eProject } from '../helpers/e2e.js';
import { PROCESS_COMPOSE, pathWithProcessCompose } from '../helpers/process-compose.js';

const OFFSET = 7100;
const greeter = (greeting: string) => ({
  name: 'greeter',
  process: {
    command: 'node',
    args: ['-e', "require('http').createServer((q, s) => s.end(process.env.GREETING)).listen(Number(process.env.PORT), '127.0.0.1')"],
    env: { GREETING: greeting, PORT: '${port.http}' },
    compose: { readiness_probe: { http_get: { url: 'http://127.0.0.1:${port.http}/' }, period_seconds: 1 } },
  },
  ports: { http: { port: 7300, protocol: 'http' } },
});
const project = e2eProject(OFFSET, { greeter: () => greeter('hello') });
const core = (...args: string[]) => runCore(args, { cwd: project.dir, env: { ...project.env, PATH: pathWithProcessCompose() }, timeoutMs: 60_000 });
const pids = async () => Object.fromEntries((await new ControlClient(path.join(project.dir, '.core-stack/pc.sock')).processes()).map((p) => [p.name, p.pid]));

afterAll(async () => {
  await core('down');
  fs.rmSync(project.dir, { recursive: true, force: true });
});

describe.skipIf(!PROCESS_COMPOSE)(`apply under process-compose (${PROCESS_COMPOSE ?? 'not found: set CORE_TEST_PROCESS_COMPOSE'})`, () => {
  it('a no-op `core up` restarts nothing; a changed environment restarts only that service', async () => {
    const up = await core('up', '-d', '--engine', 'process-compose');
    expect(up.code, up.stderr).toBe(0);
    const before = await pids();
    const again = await core('up');
    expect(again.code, again.stderr).toBe(0);
    expect(await pids()).toEqual(before);

    fs.writeFileSync(path.join(project.dir, 'services/greeter/service.json'), JSON.stringify(greeter('bonjour')));
    const change = await core('up');
    expect(change.code, change.stderr).toBe(0);
    expect(change.stdout).toContain('greeter updated');
    const after = await pids();
    expect(after.greeter).not.toBe(before.greeter);
    expect({ ...after, greeter: 0 }).toEqual({ ...before, greeter: 0 });
    expect(await (await fetch(`http://127.0.0.1:${7300 + OFFSET}/`)).text()).toBe('bonjour');
  }, 120_000);
});
