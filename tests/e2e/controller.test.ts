/**
 * Issue 12, the controller: with CORE_CONTROLLER=1 the supervisor applies the
 * records of PocketBase's `core_topology` collection. The real NATS (hub-spoke),
 * PocketBase and Caddy through the built CLI; records written with the
 * `pocketbase` SDK as the superuser; processes and pids read from
 * `core status --json`. No superuser password is set: the controller's
 * generated one (.data/secrets/pocketbase.password) is what the test signs in with.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import PocketBase, { type RecordService } from 'pocketbase';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCore } from '../helpers/cli.js';
import { e2eProject, freeOffset, waitFor } from '../helpers/e2e.js';

const offset = await freeOffset();
const project = e2eProject(offset, {
  nats: (m) => ({ ...m, config: { ...m.config, topology: 'hub-spoke', deployment: { local: { hub_nodes: 2, leaf_regions: [] } } } }),
});
const env = { ...project.env, CORE_CONTROLLER: '1', CORE_POCKETBASE_ADMIN_PASSWORD: '' };
const run = (...args: string[]) => runCore(args, { cwd: project.dir, env, timeoutMs: 60_000 });

interface Row {
  name: string;
  status: string;
  health: string;
  pid: number | null;
}

async function processes(): Promise<Record<string, Row>> {
  const status = await run('status', '--json');
  return Object.fromEntries((JSON.parse(status.stdout).processes as Row[]).map((p) => [p.name, p]));
}

/** name → pid of every running process. */
async function pids(): Promise<Record<string, number>> {
  return Object.fromEntries(
    Object.values(await processes())
      .filter((p) => p.status === 'Running' && p.pid)
      .map((p) => [p.name, p.pid!]),
  );
}

async function controllerEvents(): Promise<{ reason: string; message: string }[]> {
  const events = await run('events', '--json');
  return events.stdout
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line))
    .filter((e) => e.type === 'controller');
}

let pb: PocketBase;
let topology: RecordService;
let recordId = '';

beforeAll(async () => {
  const up = await run('up', '-d');
  expect(up.code, up.stderr).toBe(0);
  const password = fs.readFileSync(path.join(project.dir, '.data/secrets/pocketbase.password'), 'utf8').trim();
  pb = new PocketBase(`http://127.0.0.1:${project.port(8090)}`);
  pb.autoCancellation(false);
  await pb.collection('_superusers').authWithPassword('admin@example.com', password);
  topology = pb.collection('core_topology');
  await waitFor('the controller to watch core_topology', async () => (await controllerEvents()).some((e) => e.reason === 'watching core_topology'), 15_000, 100);
}, 90_000);

afterAll(async () => {
  await run('down');
  fs.rmSync(project.dir, { recursive: true, force: true });
}, 60_000);

describe('the topology controller (CORE_CONTROLLER=1)', () => {
  it('keeps the generated superuser password out of every command line and generated file', async () => {
    const password = fs.readFileSync(path.join(project.dir, '.data/secrets/pocketbase.password'), 'utf8').trim();
    expect(fs.statSync(path.join(project.dir, '.data/secrets/pocketbase.password')).mode & 0o777).toBe(0o600);
    for (const [name, pid] of Object.entries(await pids())) {
      expect(fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8')).not.toContain(password);
      // Only PocketBase is given it, in its environment.
      expect(fs.readFileSync(`/proc/${pid}/environ`, 'utf8').includes(`CORE_POCKETBASE_ADMIN_PASSWORD=${password}`)).toBe(name === 'pocketbase');
    }
    const stackDir = path.join(project.dir, '.core-stack');
    for (const file of fs.readdirSync(stackDir, { recursive: true, withFileTypes: true })) {
      if (file.isFile()) expect(fs.readFileSync(path.join(file.parentPath, file.name), 'utf8')).not.toContain(password);
    }
  });

  it('a record adding a leaf region starts nats-leaf-lhr; the hub, PocketBase and Caddy keep their pids', async () => {
    const before = await pids();
    expect(Object.keys(before).sort()).toEqual(['caddy', 'nats-hub-1', 'nats-hub-2', 'pocketbase']);
    const record = await topology.create({ service: 'nats', topology: 'hub-spoke', deployment: { local: { hub_nodes: 2, leaf_regions: ['lhr'] } } });
    recordId = record.id;
    await waitFor('nats-leaf-lhr to be healthy', async () => (await processes())['nats-leaf-lhr']?.health === 'healthy', 30_000, 100);
    const after = await pids();
    expect(after).toMatchObject(before);
    expect(Object.keys(after).sort()).toEqual(['caddy', 'nats-hub-1', 'nats-hub-2', 'nats-leaf-lhr', 'pocketbase']);
    expect((await topology.getOne(recordId)).error).toBe('');
    const file = path.join(project.dir, '.core-stack/controller/topology.json');
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(JSON.parse(fs.readFileSync(file, 'utf8'))).toEqual({ nats: { topology: 'hub-spoke', deployment: { local: { hub_nodes: 2, leaf_regions: ['lhr'] } } } });
  }, 60_000);

  it('an invalid record changes nothing and its error field says why', async () => {
    const before = await pids();
    await topology.update(recordId, { deployment: { local: { hub_nodes: -1, leaf_regions: ['lhr'] } } });
    const error = await waitFor('the record to say why', async () => (await topology.getOne(recordId)).error || undefined, 15_000, 50);
    expect(error).toContain('services/nats/service.json');
    expect(error).toContain('config.deployment.local.hub_nodes');
    await topology.update(recordId, { topology: 'mesh', deployment: { local: { hub_nodes: 2, leaf_regions: ['lhr'] } } });
    await waitFor('the record to name the topology', async () => (await topology.getOne(recordId)).error.includes('config.topology') || undefined, 15_000, 50);
    expect(await pids()).toEqual(before);
    expect((await controllerEvents()).filter((e) => e.reason === 'nats: record refused, nothing changed').length).toBeGreaterThanOrEqual(2);
  }, 60_000);

  it('PocketBase killed and restarted: the controller signs in again and re-lists; a record written as it comes back is judged', async () => {
    const killed = (await processes()).pocketbase!.pid!;
    process.kill(killed, 'SIGKILL');
    await waitFor(
      'PocketBase to be back',
      async () => {
        const p = (await processes()).pocketbase;
        return (p?.pid !== killed && p?.health === 'healthy') || undefined;
      },
      20_000,
      50,
    );
    // Written before or after the controller's reconnect: either its event or the re-listing brings it.
    // (This client's own token survived the restart: the hook kept the unchanged password.)
    await topology.update(recordId, { topology: 'hub-spoke', deployment: { local: { hub_nodes: 2, leaf_regions: ['LHR'] } } });
    await waitFor('the record to name the region', async () => (await topology.getOne(recordId)).error.includes('config.deployment.local.leaf_regions') || undefined, 15_000, 50);
    expect(Object.keys(await pids()).sort()).toEqual(['caddy', 'nats-hub-1', 'nats-hub-2', 'nats-leaf-lhr', 'pocketbase']);
  }, 60_000);

  it('a record changed while the controller was away (no event at all) is applied once it reconnects: the re-listing finds it', async () => {
    const stopped = await run('stop', 'pocketbase');
    expect(stopped.code, stopped.stderr).toBe(0);
    await waitFor('PocketBase to be stopped', async () => !(await pids()).pocketbase || undefined, 20_000, 50);
    // Written straight into PocketBase's data while it is down (a migration run by its own binary): nobody hears of it.
    const migrations = fs.mkdtempSync(path.join(project.dir, 'offline-'));
    fs.writeFileSync(
      path.join(migrations, '1800000000_offline_edit.js'),
      `migrate((app) => {
        const record = app.findRecordById("core_topology", ${JSON.stringify(recordId)});
        record.set("deployment", { local: { hub_nodes: 2, leaf_regions: ["lhr", "nrt"] } });
        app.save(record);
      });`,
    );
    execFileSync(path.join(project.dir, '.dep/pocketbase'), ['migrate', 'up', '--dir', path.join(project.dir, '.data/pocketbase'), '--migrationsDir', migrations], {
      stdio: 'ignore',
    });
    const before = await pids();
    const started = await run('start', 'pocketbase');
    expect(started.code, started.stderr).toBe(0);
    await waitFor('nats-leaf-nrt to be healthy', async () => (await processes())['nats-leaf-nrt']?.health === 'healthy', 30_000, 100);
    await waitFor('the error to be cleared', async () => (await topology.getOne(recordId)).error === '' || undefined, 15_000, 50);
    const after = await pids();
    expect(Object.keys(after).sort()).toEqual(['caddy', 'nats-hub-1', 'nats-hub-2', 'nats-leaf-lhr', 'nats-leaf-nrt', 'pocketbase']);
    const { pocketbase: _restarted, ...rest } = before;
    expect(after).toMatchObject(rest);
  }, 60_000);

  it('removing the record returns NATS to its manifest: the leaves are gone, the rest keep their pids', async () => {
    const before = await pids();
    await topology.delete(recordId);
    await waitFor('the leaves to be gone', async () => Object.keys(await processes()).every((name) => !name.startsWith('nats-leaf-')), 30_000, 100);
    const after = await pids();
    expect(Object.keys(after).sort()).toEqual(['caddy', 'nats-hub-1', 'nats-hub-2', 'pocketbase']);
    const { 'nats-leaf-lhr': _lhr, 'nats-leaf-nrt': _nrt, ...kept } = before;
    expect(after).toEqual(kept);
    expect(fs.existsSync(path.join(project.dir, '.core-stack/controller/topology.json'))).toBe(false);
    // One apply per valid change (lhr; lhr + nrt; none), none for a refusal or for the controller's own error writes.
    const applied = (await controllerEvents()).filter((e) => e.reason.startsWith('applied') || e.reason.startsWith('cannot apply'));
    expect(applied.map((e) => e.reason)).toEqual(['applied nats from its record', 'applied nats from its record', 'applied nats back to its manifest']);
  }, 60_000);
});
