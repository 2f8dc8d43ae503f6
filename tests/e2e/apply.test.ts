/**
 * Issue 10: a running stack takes new manifests and changes only what differs.
 * The real NATS, PocketBase and Caddy, plus a service of the test's own (a
 * Node HTTP server that answers with an environment value), through the built
 * CLI; pids are compared before and after every change.
 */
import fs from 'node:fs';
import path from 'node:path';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import PocketBase from 'pocketbase';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ControlClient } from '../../src/control/client.js';
import { ADMIN, e2eProject, isListening } from '../helpers/e2e.js';

const OFFSET = 6800;
const GREETER_PORT = 7300;
const project = e2eProject(OFFSET);
const client = () => new ControlClient(path.join(project.dir, '.core-stack/core.sock'), 5000);

/** A Node HTTP server answering GREETING, on its own port. */
function greeter(name: string, port: number, greeting: string) {
  return {
    name,
    process: {
      command: process.execPath,
      args: ['-e', "require('http').createServer((q, s) => s.end(process.env.GREETING)).listen(Number(process.env.PORT), '127.0.0.1')"],
      env: { GREETING: greeting, PORT: '${port.http}' },
      compose: { readiness_probe: { http_get: { url: 'http://127.0.0.1:${port.http}/' }, period_seconds: 5 } },
    },
    ports: { http: { port, protocol: 'http' } },
  };
}

function writeService(manifest: { name: string }): void {
  fs.mkdirSync(path.join(project.dir, 'services', manifest.name), { recursive: true });
  fs.writeFileSync(path.join(project.dir, 'services', manifest.name, 'service.json'), JSON.stringify(manifest, null, 2));
}

async function pids(): Promise<Record<string, number>> {
  return Object.fromEntries((await client().processes()).filter((p) => p.is_running).map((p) => [p.name, p.pid]));
}

const get = async (port: number) => (await fetch(`http://127.0.0.1:${port + OFFSET}/`)).text();

let nc: NatsConnection;
const natsEvents: string[] = [];

beforeAll(async () => {
  writeService(greeter('greeter', GREETER_PORT, 'hello'));
  const up = await project.core('up', '-d');
  expect(up.code, up.stderr).toBe(0);
  // Connected throughout: any disconnect (a NATS restart) shows up here.
  nc = await connect({ servers: `nats://127.0.0.1:${4222 + OFFSET}`, timeout: 2000, reconnectTimeWait: 50 });
  void (async () => {
    for await (const status of nc.status()) natsEvents.push(status.type);
  })();
}, 60_000);

afterAll(async () => {
  await nc?.close();
  await project.core('down');
  fs.rmSync(project.dir, { recursive: true, force: true });
});

describe('core up on a running stack (issue 10)', () => {
  it('with nothing changed: restarts nothing, says so', async () => {
    const before = await pids();
    expect(Object.keys(before).sort()).toEqual(['caddy', 'greeter', 'nats', 'pocketbase']);
    const again = await project.core('up');
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toContain('no change');
    expect(await pids()).toEqual(before);
  }, 30_000);

  it("a changed environment replaces only that service; NATS, PocketBase and Caddy keep their pids; NATS's client never disconnects", async () => {
    const before = await pids();
    writeService(greeter('greeter', GREETER_PORT, 'bonjour'));
    const dry = await project.core('apply', '--dry-run', '--json');
    expect(dry.code, dry.stderr).toBe(0);
    expect(JSON.parse(dry.stdout).processes.filter((p: { action: string }) => p.action !== 'keep')).toEqual([
      expect.objectContaining({ name: 'greeter', action: 'replace', reasons: ['environment (GREETING)'] }),
    ]);
    expect(await pids()).toEqual(before);

    const up = await project.core('up');
    expect(up.code, up.stderr).toBe(0);
    expect(up.stdout).toMatch(/~ greeter replaced \(environment \(GREETING\)\), ready in \d+ ms/);
    expect(up.stdout).toMatch(/3 processes untouched/);
    const after = await pids();
    expect(after.greeter).not.toBe(before.greeter);
    expect({ ...after, greeter: 0 }).toEqual({ ...before, greeter: 0 });
    expect(await get(GREETER_PORT)).toBe('bonjour');
    // The client saw no disconnect, and still talks to the same server.
    const sub = nc.subscribe('apply.e2e', { max: 1 });
    nc.publish('apply.e2e', 'still here');
    for await (const message of sub) expect(message.string()).toBe('still here');
    expect(natsEvents.filter((t) => t === 'disconnect' || t === 'reconnect')).toEqual([]);
  }, 30_000);

  it('a new service starts only it; removing it stops it and frees its port', async () => {
    const before = await pids();
    writeService(greeter('second', GREETER_PORT + 1, 'two'));
    const add = await project.core('up', '--json');
    expect(add.code, add.stderr).toBe(0);
    const added = JSON.parse(add.stdout);
    expect(added.processes.filter((p: { action: string }) => p.action !== 'keep').map((p: { name: string; action: string }) => `${p.action}:${p.name}`)).toEqual(['add:second']);
    expect(added.processes.find((p: { name: string }) => p.name === 'second').ready_ms).toBeGreaterThanOrEqual(0);
    expect(await get(GREETER_PORT + 1)).toBe('two');
    const withSecond = await pids();
    expect({ ...withSecond, second: undefined }).toEqual({ ...before, second: undefined });

    fs.rmSync(path.join(project.dir, 'services', 'second'), { recursive: true });
    const remove = await project.core('up');
    expect(remove.code, remove.stderr).toBe(0);
    expect(remove.stdout).toContain('- second removed');
    expect(await isListening(GREETER_PORT + 1 + OFFSET)).toBe(false);
    expect(await pids()).toEqual(before);
  }, 30_000);

  it('a broken manifest while running: exit 2 naming file and field, nothing touched', async () => {
    const before = await pids();
    const file = path.join(project.dir, 'services', 'greeter', 'service.json');
    const good = fs.readFileSync(file, 'utf8');
    const broken = JSON.parse(good);
    broken.process.env.GREETING = '${env.NO_SUCH_VARIABLE_E2E}';
    fs.writeFileSync(file, JSON.stringify(broken));
    try {
      const up = await project.core('up');
      expect(up.code).toBe(2);
      expect(up.stderr).toContain('services/greeter/service.json');
      expect(up.stderr).toContain('process.env.GREETING');
      expect(up.stderr).not.toMatch(/\n\s+at /);
    } finally {
      fs.writeFileSync(file, good);
    }
    expect(await pids()).toEqual(before);
    expect(await get(GREETER_PORT)).toBe('bonjour');
  }, 30_000);

  it("changing Caddy's port in .env replaces only Caddy; PocketBase's records are intact through the new port", async () => {
    const pbBefore = new PocketBase(`http://127.0.0.1:${2015 + OFFSET}`);
    await pbBefore.collection('_superusers').authWithPassword(ADMIN.email, ADMIN.password);
    await pbBefore.collections.create({ name: 'notes', type: 'base', fields: [{ name: 'title', type: 'text' }], listRule: '', viewRule: '' });
    const record = await pbBefore.collection('notes').create({ title: 'kept across an apply' });
    const before = await pids();

    const newPort = 2016 + OFFSET;
    fs.writeFileSync(path.join(project.dir, '.env'), `CORE_PORT_CADDY_HTTP=${newPort}\n`);
    const up = await project.core('up');
    expect(up.code, up.stderr).toBe(0);
    expect(up.stdout).toMatch(/~ caddy replaced \(config files\)/);
    const after = await pids();
    expect(after.caddy).not.toBe(before.caddy);
    expect({ ...after, caddy: 0 }).toEqual({ ...before, caddy: 0 });
    expect(await isListening(2015 + OFFSET)).toBe(false);

    const pbAfter = new PocketBase(`http://127.0.0.1:${newPort}`);
    expect((await pbAfter.collection('notes').getOne(record.id)).title).toBe('kept across an apply');
    expect(natsEvents.filter((t) => t === 'disconnect' || t === 'reconnect')).toEqual([]);
  }, 30_000);
});
