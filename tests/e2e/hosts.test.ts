/**
 * Issue 15, parts 1–3 on one machine: a project with a hosts file of two hosts
 * (loopback addresses), `core plan`, and `core up --host` running only the
 * processes placed on that host, a dependency on the other host's process not
 * gated (it would never be ready here). Network-namespace hosts come later.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCore } from '../helpers/cli.js';
import { freeOffset, isListening } from '../helpers/e2e.js';
import { REPO } from '../helpers/stack.js';
import { tinyProject, type TinyProject } from '../helpers/tiny-project.js';

const web = (name: string, port: number, extra: object = {}, compose: object = {}) => ({
  name,
  ...extra,
  process: {
    command: process.execPath,
    args: [path.join(REPO, 'tests/fixtures/engine/http-server.mjs'), '${port.http}', '0'],
    compose: { readiness_probe: { http_get: { url: 'http://127.0.0.1:${port.http}/health' }, period_seconds: 1 }, ...compose },
  },
  ports: { http: { port, protocol: 'http' } },
});

const HOSTS = { hosts: { a: { address: '127.0.0.1', region: 'home' }, b: { address: '127.0.0.2', region: 'home' } } };

describe('core plan and core up --host', () => {
  let project: TinyProject;
  let offset: number;
  const core = (env: Record<string, string>, ...args: string[]) => runCore(args, { cwd: project.dir, env: { CORE_PORT_OFFSET: String(offset), ...env }, timeoutMs: 30_000 });
  const processes = async () => JSON.parse((await project.core('status', '--json')).stdout).processes.map((p: { name: string; status: string }) => [p.name, p.status]);

  beforeAll(async () => {
    offset = await freeOffset([100, 101]);
    project = tinyProject(offset, 0, {
      timeoutMs: 30_000,
      extra: {
        app: web('app', 100),
        // On every host; on b it cannot wait for app, which runs on a only.
        agent: web('agent', 101, { placement: 'every' }, { depends_on: { app: { condition: 'process_healthy' } } }),
      },
    });
    fs.writeFileSync(path.join(project.dir, 'hosts.json'), JSON.stringify(HOSTS));
  });
  afterAll(async () => {
    await project.core('down');
    project.remove();
  });

  it('core plan prints which host runs what, and the dependency not gated on b', async () => {
    const result = await project.core('plan', '--json');
    expect(result.code).toBe(0);
    const view = JSON.parse(result.stdout);
    expect(view.hosts.map((h: { name: string; address: string; processes: { name: string }[] }) => [h.name, h.address, h.processes.map((p) => p.name)])).toEqual([
      ['a', '127.0.0.1', ['app', 'agent']],
      ['b', '127.0.0.2', ['agent']],
    ]);
    expect(view.primary).toBe('a');
    expect(view.hosts[1].not_gated).toEqual([{ process: 'agent', depends_on: 'app', condition: 'process_healthy', on: ['a'] }]);
    const text = await project.core('plan', '--host', 'b');
    expect(text.stdout).toMatch(/^b\s+127\.0\.0\.2\s+home\s+agent$/m);
    expect(text.stdout).not.toMatch(/^a\s/m);
    expect(text.stdout).toContain('  b: agent does not wait for app (on a)');
  });

  it('refuses to start without a host, or with a host the file does not name (exit 2, nothing started)', async () => {
    const none = await project.core('up', '-d');
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('hosts.json names 2 hosts (a, b): say which one this is with --host NAME or CORE_HOST_NAME');
    const wrong = await project.core('up', '-d', '--host', 'c');
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toContain('hosts.json: hosts: --host (CORE_HOST_NAME) "c" names no host here (hosts: a, b)');
    expect(wrong.stderr).not.toMatch(/\n\s+at /); // no stack trace
    // A host whose address this machine does not have (TEST-NET-3: never local).
    fs.writeFileSync(path.join(project.dir, 'hosts.json'), JSON.stringify({ hosts: { ...HOSTS.hosts, c: { address: '203.0.113.9', region: 'home' } } }));
    try {
      const foreign = await project.core('up', '-d', '--host', 'c');
      expect([foreign.code, foreign.stderr.split('\n')[0]]).toEqual([2, 'core: hosts.json: hosts.c.address: 203.0.113.9 is not an address of this machine, so it is not host "c"']);
    } finally {
      fs.writeFileSync(path.join(project.dir, 'hosts.json'), JSON.stringify(HOSTS));
    }
    expect(await isListening(100 + offset)).toBe(false);
    expect(await isListening(101 + offset)).toBe(false);
    expect(JSON.parse((await project.core('status', '--json')).stdout).running).toBe(false);
  });

  it("up --host b runs b's processes only, without waiting for a's", async () => {
    const up = await project.core('up', '-d', '--host', 'b');
    expect(up.code, up.stderr).toBe(0);
    expect(await processes()).toEqual([['agent', 'Running']]);
    expect(await isListening(101 + offset)).toBe(true);
    expect(await isListening(100 + offset)).toBe(false);
    // b's view of agent: its dependency on a's app left out.
    const spec = JSON.parse((await project.core('agent', 'spec', '--host', 'b')).stdout);
    expect([spec.host, spec.service.depends_on]).toEqual(['b', {}]);
    expect(spec.service.ports.http.host).toBe('127.0.0.2'); // b's address
    const elsewhere = await project.core('app', 'spec', '--host', 'b');
    expect([elsewhere.code, elsewhere.stderr.trim().split('\n')[0]]).toEqual([2, 'core: service "app" runs on a, not on b']);
    // On the running stack: its host is remembered, and another one is refused.
    const again = await project.core('up', '-d');
    expect(again.code, again.stderr).toBe(0);
    expect(await processes()).toEqual([['agent', 'Running']]);
    const other = await project.core('up', '-d', '--host', 'a');
    expect([other.code, other.stderr.trim()]).toEqual([
      2,
      'core: the running stack runs as host "b", not "a" (--host (CORE_HOST_NAME)): stop it first (core down) to run as another host',
    ]);
    expect(await processes()).toEqual([['agent', 'Running']]);
    expect((await project.core('down')).code).toBe(0);
  });

  it('CORE_HOST_NAME=a runs both, agent after app as its manifest says', async () => {
    const up = await core({ CORE_HOST_NAME: 'a' }, 'up', '-d');
    expect(up.code, up.stderr).toBe(0);
    expect(await processes()).toEqual([
      ['app', 'Running'],
      ['agent', 'Running'],
    ]);
    const spec = JSON.parse((await core({ CORE_HOST_NAME: 'a' }, 'agent', 'spec')).stdout);
    expect(spec.service.depends_on).toEqual({ app: 'process_healthy' });
    expect((await project.core('down')).code).toBe(0);
  });

  it('--host with no hosts file: exit 2', async () => {
    fs.renameSync(path.join(project.dir, 'hosts.json'), path.join(project.dir, 'hosts.json.off'));
    try {
      const result = await project.core('plan', '--host', 'a');
      expect(result.code).toBe(2);
      expect(result.stderr).toContain('"a": there is no hosts file (hosts.json), so no host to run as');
      const plan = JSON.parse((await project.core('plan', '--json')).stdout);
      expect(plan.hosts).toEqual([expect.objectContaining({ name: 'local', address: '127.0.0.1' })]);
    } finally {
      fs.renameSync(path.join(project.dir, 'hosts.json.off'), path.join(project.dir, 'hosts.json'));
    }
  });
});
