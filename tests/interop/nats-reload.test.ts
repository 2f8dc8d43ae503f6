/**
 * Issue 12 under --engine process-compose: scaling a NATS cluster 3 → 5 with
 * `core up` reloads the three that stay in place (their file has no
 * `x-core.reload` for process-compose to restart them on; core signals the pid
 * process-compose reports and checks /varz), and starts the two new ones.
 * Skipped without a process-compose binary (see tests/helpers/process-compose.ts).
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ControlClient } from '../../src/control/client.js';
import { runCore } from '../helpers/cli.js';
import { e2eProject, freeOffset, waitFor, type E2eProject } from '../helpers/e2e.js';
import { PROCESS_COMPOSE, pathWithProcessCompose } from '../helpers/process-compose.js';

const BASES = [4222, 8222, 6222].flatMap((base) => [0, 1, 2, 3, 4].map((i) => base + i)).concat([8090, 2015]);

function cluster(nodes: number) {
  return (manifest: { config: { topology: string; deployment: { local: { nodes: number } } } }) => {
    manifest.config.topology = 'cluster';
    manifest.config.deployment.local.nodes = nodes;
    return manifest;
  };
}

let project: E2eProject | undefined;
const core = (...args: string[]) => runCore(args, { cwd: project!.dir, env: { ...project!.env, PATH: pathWithProcessCompose() }, timeoutMs: 90_000 });
const pids = async () => Object.fromEntries((await new ControlClient(path.join(project!.dir, '.core-stack/pc.sock')).processes()).map((p) => [p.name, p.pid]));
async function peers(node: number): Promise<number> {
  const body = (await (await fetch(`http://127.0.0.1:${project!.port(8222) + node - 1}/routez`)).json()) as { routes?: { remote_name: string }[] };
  return new Set((body.routes ?? []).map((r) => r.remote_name)).size;
}

afterAll(async () => {
  if (!project) return;
  await core('down');
  fs.rmSync(project.dir, { recursive: true, force: true });
});

describe.skipIf(!PROCESS_COMPOSE)(`reload in place under process-compose (${PROCESS_COMPOSE ?? 'not found: set CORE_TEST_PROCESS_COMPOSE'})`, () => {
  it('3 → 5 with `core up`: nats-1…3 are reloaded, keep their pids, and every node has 4 route peers', async () => {
    project = e2eProject(await freeOffset(BASES), { nats: cluster(3) });
    const up = await core('up', '-d', '--engine', 'process-compose');
    expect(up.code, up.stderr).toBe(0);
    expect(fs.readFileSync(path.join(project.dir, '.core-stack/process-compose.yaml'), 'utf8')).not.toMatch(/^\s+reload:/m);
    const before = await pids();

    const file = path.join(project.dir, 'services/nats/service.json');
    fs.writeFileSync(file, JSON.stringify(cluster(5)(JSON.parse(fs.readFileSync(file, 'utf8'))), null, 2));
    const scaled = await core('up');
    expect(scaled.code, scaled.stderr).toBe(0);
    for (const name of ['nats-1', 'nats-2', 'nats-3']) expect(scaled.stdout).toContain(`${name} reloaded`);
    const after = await pids();
    for (const name of ['nats-1', 'nats-2', 'nats-3']) expect(after[name]).toBe(before[name]);
    for (const node of [1, 2, 3, 4, 5]) await waitFor(`nats-${node} has 4 route peers`, async () => (await peers(node)) === 4, 15_000);
  }, 180_000);
});
