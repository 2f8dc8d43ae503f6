/** Issue 12, item 5: the controller's records win over the manifest while the controller is on, and only then. */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { makeProject, runCore } from '../helpers/cli.js';

const project = makeProject();
const file = path.join(project, '.core-stack/controller/topology.json');
fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
fs.writeFileSync(file, JSON.stringify({ nats: { topology: 'hub-spoke', deployment: { local: { hub_nodes: 2, leaf_regions: ['syd'] } } } }), { mode: 0o600 });
afterAll(() => fs.rmSync(project, { recursive: true, force: true }));

const processes = async (env: Record<string, string>) => {
  const result = await runCore(['validate', '--json'], { cwd: project, env });
  expect(result.code, result.stderr).toBe(0);
  return JSON.parse(result.stdout).processes as string[];
};

describe('.core-stack/controller/topology.json', () => {
  it('is what the plan follows with CORE_CONTROLLER=1', async () => {
    expect(await processes({ CORE_CONTROLLER: '1' })).toEqual(['nats-hub-1', 'nats-hub-2', 'nats-leaf-syd', 'pocketbase', 'caddy']);
  });

  it('is ignored with the controller off: the manifest rules', async () => {
    expect(await processes({})).toEqual(['nats', 'pocketbase', 'caddy']);
  });

  it('a record the planner refuses is exit 2 naming the file and the path', async () => {
    fs.writeFileSync(file, JSON.stringify({ nats: { topology: 'mesh' } }), { mode: 0o600 });
    const result = await runCore(['validate'], { cwd: project, env: { CORE_CONTROLLER: '1' } });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('.core-stack/controller/topology.json: nats.topology:');
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });
});
