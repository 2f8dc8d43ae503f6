/**
 * The real NATS -> PocketBase -> Caddy stack, driven by the built CLI and talked
 * to with the services' own clients, on ports no other stack holds (freeOffset):
 * the default ports may be taken by a developer's own stack or another suite.
 */
import { connect } from '@nats-io/transport-node';
import { jetstreamManager } from '@nats-io/jetstream';
import PocketBase from 'pocketbase';
import { afterAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';
import { ADMIN, e2eProject, freeOffset, isListening, STACK_PORTS } from '../helpers/e2e.js';

function filesContaining(dir: string, needle: string): string[] {
  return fs
    .readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => path.join(entry.parentPath, entry.name))
    .filter((file) => fs.readFileSync(file).includes(needle));
}

const project = e2eProject(await freeOffset());
const PORTS = STACK_PORTS.map(project.port);

afterAll(async () => {
  await project.core('down');
});

describe('the default stack, end to end', () => {
  it('comes up healthy, serves real clients, goes down, and keeps its data', async () => {
    const up = await project.core('up', '-d');
    expect(up.code, up.stderr).toBe(0);
    expect(up.stdout).toMatch(/stack up: 3 services healthy in \d+ ms/);

    const status = await project.core('status', '--json');
    const { running, processes } = JSON.parse(status.stdout);
    expect(running).toBe(true);
    for (const name of ['nats', 'pocketbase', 'caddy']) {
      expect(processes.find((p: { name: string }) => p.name === name)).toMatchObject({ status: 'Running', health: 'healthy' });
    }
    expect(status.stdout).not.toContain(ADMIN.password);
    expect(filesContaining(path.join(project.dir, '.core-stack'), ADMIN.password)).toEqual([]);

    // NATS: publish/subscribe and a JetStream stream, with the official client.
    const nc = await connect({ servers: `nats://127.0.0.1:${project.port(4222)}`, timeout: 2000 });
    const sub = nc.subscribe('core.e2e', { max: 1 });
    nc.publish('core.e2e', 'hello');
    for await (const message of sub) expect(message.string()).toBe('hello');
    const jsm = await jetstreamManager(nc);
    await jsm.streams.add({ name: 'E2E', subjects: ['e2e.>'] });
    const js = jsm.jetstream();
    const ack = await js.publish('e2e.one', 'persisted');
    expect(ack.stream).toBe('E2E');
    await nc.drain();

    // PocketBase through Caddy on :2015, with the official SDK.
    const pb = new PocketBase(`http://127.0.0.1:${project.port(2015)}`);
    await pb.collection('_superusers').authWithPassword(ADMIN.email, ADMIN.password);
    await pb.collections.create({ name: 'notes', type: 'base', fields: [{ name: 'title', type: 'text' }], listRule: '', viewRule: '' });
    const record = await pb.collection('notes').create({ title: 'survives a restart' });

    const down = await project.core('down');
    expect(down.code, down.stderr).toBe(0);
    for (const port of PORTS) expect(await isListening(port), `port ${port}`).toBe(false);

    const again = await project.core('up', '-d');
    expect(again.code, again.stderr).toBe(0);
    const pb2 = new PocketBase(`http://127.0.0.1:${project.port(2015)}`);
    expect((await pb2.collection('notes').getOne(record.id)).title).toBe('survives a restart');
    const nc2 = await connect({ servers: `nats://127.0.0.1:${project.port(4222)}`, timeout: 2000 });
    expect((await (await jetstreamManager(nc2)).streams.info('E2E')).state.messages).toBe(1);
    await nc2.drain();

    expect((await project.core('down')).code).toBe(0);
    for (const port of PORTS) expect(await isListening(port), `port ${port}`).toBe(false);
  }, 120_000);
});
