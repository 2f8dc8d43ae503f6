/**
 * Authenticated routes name only the seeds (the first three members), so a
 * cluster grown from 3 to 5 changes no running member: no reload, no
 * replace, the same pids; the new members dial the seeds and route gossip,
 * with the cluster's own credentials, makes the full mesh (docs/hosts.md,
 * "Credentials"). One machine, the password from `.env` (on loopback it is
 * optional, and used when set).
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { e2eProject, freeOffset, waitFor, type E2eProject } from '../helpers/e2e.js';

const PASSWORD = 'seed 42 password';
const BASES = [4222, 4223, 4224, 4225, 4226, 6222, 6223, 6224, 6225, 6226, 8222, 8223, 8224, 8225, 8226];

async function getJson(url: string): Promise<any> {
  return (await fetch(url)).json();
}

describe('authenticated routes: seeds, then gossip', () => {
  let project: E2eProject;
  const pids = async () => Object.fromEntries(JSON.parse((await project.core('status', '--json')).stdout).processes.map((p: { name: string; pid: number }) => [p.name, p.pid]));
  const setNodes = (nodes: number) => {
    const file = path.join(project.dir, 'services/nats/service.json');
    const manifest = JSON.parse(fs.readFileSync(file, 'utf8'));
    manifest.config.deployment = { local: { nodes } };
    fs.writeFileSync(file, JSON.stringify(manifest, null, 2));
  };

  beforeAll(async () => {
    project = e2eProject(await freeOffset(BASES), { nats: (m) => ((m.config.topology = 'cluster'), m) });
    for (const other of ['pocketbase', 'caddy']) fs.rmSync(path.join(project.dir, 'services', other), { recursive: true });
    fs.writeFileSync(path.join(project.dir, '.env'), `CORE_NATS_CLUSTER_PASSWORD="${PASSWORD}"\n`);
    setNodes(3);
    const up = await project.core('up', '-d');
    expect(up.code, up.stderr).toBe(0);
  }, 60_000);

  afterAll(async () => {
    if (!project) return;
    await project.core('down');
    fs.rmSync(project.dir, { recursive: true, force: true });
  }, 60_000);

  it('3 → 5: the three keep their pids without a reload, and gossip meshes all five', async () => {
    const conf = fs.readFileSync(path.join(project.dir, '.core-stack/nats/nats-1.conf'), 'utf8');
    expect(conf).toContain('routes: $CORE_NATS_ROUTES');
    expect(conf).not.toContain(PASSWORD);
    const before = await pids();
    setNodes(5);
    const up = await project.core('up', '-d');
    expect(up.code, up.stderr).toBe(0);
    expect(up.stdout + up.stderr).not.toMatch(/reloaded|replaced/);
    const after = await pids();
    for (const name of ['nats-1', 'nats-2', 'nats-3']) expect(after[name]).toBe(before[name]);
    for (const i of [0, 1, 2, 3, 4]) {
      const peers = await waitFor(`nats-${i + 1} routed to the 4 others`, async () => {
        const routez = await getJson(`http://127.0.0.1:${project.port(8222) + i}/routez`);
        const names = new Set<string>(routez.routes.map((r: { remote_name: string }) => r.remote_name));
        return names.size === 4 ? names : undefined;
      });
      expect([...peers].sort()).toEqual(['nats-1', 'nats-2', 'nats-3', 'nats-4', 'nats-5'].filter((n) => n !== `nats-${i + 1}`));
    }
    // The seeds only, without the password.
    const spec = JSON.parse((await project.core('nats', 'spec')).stdout).service;
    expect(spec.processes[4].routes).toEqual([0, 1, 2].map((i) => `nats-route://127.0.0.1:${project.port(6222) + i}`));
    expect(JSON.stringify(spec)).not.toContain(PASSWORD);
  }, 90_000);
});
