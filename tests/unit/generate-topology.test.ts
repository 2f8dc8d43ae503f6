/**
 * Issue 12: the process-compose.yaml of a cluster and of hubs with leaves is a
 * file the real process-compose takes as it is. Checked as the binary reads it
 * ($$ undone) against its published JSON Schema (v1.122.0, turned into a
 * validator by zod's fromJSONSchema) and against our stricter model of it.
 */
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { z } from 'zod';
import { generateStack } from '../../src/compose/generate.js';
import { ComposeDocSchema } from '../../src/compose/schema.js';
import { toYaml } from '../../src/compose/yaml.js';
import { findPcSchema, planFor, repoManifestFiles } from '../helpers/stack.js';

const SCHEMA_FILE = findPcSchema();
const upstream = SCHEMA_FILE ? z.fromJSONSchema(JSON.parse(fs.readFileSync(SCHEMA_FILE, 'utf8'))) : undefined;

function yamlFor(config: Record<string, unknown>): { yaml: string; doc: ReturnType<typeof generateStack>['doc'] } {
  const files = repoManifestFiles().map((f) => {
    if (f.dir !== 'nats') return f;
    const json = JSON.parse(f.text!);
    Object.assign(json.config, config);
    return { ...f, text: JSON.stringify(json) };
  });
  const { doc } = generateStack(planFor(files));
  return { yaml: toYaml(doc), doc };
}

/** Undo process-compose's env expansion the way it reads the file ($$ is a literal $). */
const asProcessComposeReadsIt = (yaml: string): unknown => parse(yaml.replaceAll('$$', '$'));

const TOPOLOGIES = {
  'cluster of 3': { config: { topology: 'cluster' }, nats: ['nats-1', 'nats-2', 'nats-3'] },
  'cluster of 5': {
    config: { topology: 'cluster', deployment: { local: { nodes: 5 } } },
    nats: ['nats-1', 'nats-2', 'nats-3', 'nats-4', 'nats-5'],
  },
  'hub-spoke, 3 hubs, leaves lhr and nrt': {
    config: { topology: 'hub-spoke' },
    nats: ['nats-hub-1', 'nats-hub-2', 'nats-hub-3', 'nats-leaf-lhr', 'nats-leaf-nrt'],
  },
  'hub-spoke, 2 leaves per region': {
    config: { topology: 'hub-spoke', deployment: { local: { hub_nodes: 3, leaf_regions: ['lhr'], leaf_nodes_per_region: 2 } } },
    nats: ['nats-hub-1', 'nats-hub-2', 'nats-hub-3', 'nats-leaf-lhr-1', 'nats-leaf-lhr-2'],
  },
} as const;

describe.each(Object.entries(TOPOLOGIES))('process-compose.yaml for a %s', (_, { config, nats }) => {
  const { yaml, doc } = yamlFor(config);
  const read = asProcessComposeReadsIt(yaml) as { processes: Record<string, any> };

  it.skipIf(!upstream)(`validates against process-compose's published JSON Schema (${SCHEMA_FILE ?? 'not found: set CORE_TEST_PC_SCHEMA'})`, () => {
    const result = upstream!.safeParse(read);
    expect(result.error?.issues ?? []).toEqual([]);
  });

  it('validates against our model of process-compose, with no unknown keys', () => {
    const result = ComposeDocSchema.safeParse(read);
    expect(result.error?.issues ?? []).toEqual([]);
  });

  it('reads back as the document it was written from', () => {
    expect(read).toEqual(JSON.parse(JSON.stringify(doc)));
  });

  it('names every NATS process, and PocketBase waits for each of them to be healthy', () => {
    expect(Object.keys(read.processes)).toEqual([...nats, 'pocketbase', 'caddy']);
    expect(read.processes.pocketbase.depends_on).toEqual(Object.fromEntries(nats.map((name) => [name, { condition: 'process_healthy' }])));
    for (const name of nats) expect(read.processes[name]['x-core'].service).toBe('nats');
  });

  it('probes each clustered node on its own monitor port with /healthz, no js-enabled-only (503 until the cluster formed)', () => {
    const clustered = nats.filter((name) => !name.startsWith('nats-leaf-') || name.match(/-\d+$/));
    const ports = clustered.map((name) => read.processes[name].readiness_probe.http_get);
    for (const probe of ports) expect(probe).toMatchObject({ host: '127.0.0.1', path: '/healthz' });
    expect(new Set(ports.map((p) => p.port)).size).toBe(clustered.length);
  });

  it('starts a leaf only once every hub is healthy', () => {
    const hubs = nats.filter((name) => name.startsWith('nats-hub-'));
    for (const leaf of nats.filter((name) => name.startsWith('nats-leaf-'))) {
      for (const hub of hubs) expect(read.processes[leaf].depends_on?.[hub]).toEqual({ condition: 'process_healthy' });
    }
  });
});
