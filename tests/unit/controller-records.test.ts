import { describe, expect, it } from 'vitest';
import { outcomeOf } from '../../src/controller/apply-child.js';
import {
  canonical,
  changedServices,
  desiredState,
  errorUpdates,
  judgeRecords,
  overrideOf,
  type TopologyRecord,
  type ValidateOverride,
  valueKey,
} from '../../src/controller/records.js';
import { serial } from '../../src/controller/serial.js';
import { validateOverride as validateIn } from '../../src/controller/validate-record.js';

const validateOverride: ValidateOverride = (service, value) => validateIn(service, value, 'local');

const record = (service: string, fields: Partial<TopologyRecord> = {}): TopologyRecord => ({
  id: `id-${service}`,
  service,
  topology: '',
  deployment: null,
  error: '',
  ...fields,
});
const services = new Map([
  ['nats', { file: 'services/nats/service.json', renderer: 'nats', topology: 'hub-spoke', deployment: { local: { hub_nodes: 2, leaf_regions: [] } } }],
  ['pocketbase', { file: 'services/pocketbase/service.json' }],
]);

describe('a record → its override', () => {
  it('takes only the non-empty fields: an empty topology or deployment keeps the manifest value', () => {
    expect(overrideOf(record('nats'))).toEqual({});
    expect(overrideOf(record('nats', { topology: ' cluster ' }))).toEqual({ topology: 'cluster' });
    expect(overrideOf(record('nats', { deployment: { local: { nodes: 3 } } }))).toEqual({ deployment: { local: { nodes: 3 } } });
  });

  it('keeps valid records, refuses the others with file, path and reason, and ignores empty ones', () => {
    const judged = judgeRecords(
      [record('nats', { deployment: { local: { hub_nodes: 2, leaf_regions: ['lhr'] } } }), record('ghost', { topology: 'cluster' }), record('pocketbase')],
      services,
      validateOverride,
    );
    expect(judged.overrides).toEqual({ nats: { deployment: { local: { hub_nodes: 2, leaf_regions: ['lhr'] } } } });
    expect(judged.rejected.get('id-ghost')).toBe('no service "ghost" (services: nats, pocketbase)');
    expect(judged.rejected.has('id-pocketbase')).toBe(false);

    const bad = judgeRecords([record('nats', { topology: 'mesh' })], services, validateOverride);
    expect(bad.overrides).toEqual({});
    expect(bad.rejected.get('id-nats')).toMatch(/^services\/nats\/service\.json: config\.topology: .*"hub-spoke"/);
  });

  it('judges as the planner does: the manifest rules with config paths, only NATS has a topology, the deployment in force must exist', () => {
    const nats = services.get('nats')!;
    expect(validateIn(nats, { deployment: { local: { hub_nodes: -1 } } }, 'local')).toEqual([
      { file: 'services/nats/service.json', path: 'config.deployment.local.hub_nodes', message: expect.stringContaining('at least 2') },
    ]);
    expect(validateIn(nats, { topology: 'mesh' }, 'local')[0]).toMatchObject({ path: 'config.topology' });
    expect(validateIn(nats, { deployment: { production: { hub_nodes: 3 } } }, 'local')).toEqual([
      { file: 'services/nats/service.json', path: 'config.deployment', message: 'CORE_DEPLOYMENT "local" names no deployment here (deployments: production)' },
    ]);
    expect(validateIn(nats, { topology: 'cluster' }, 'local')).toEqual([]);
    expect(validateIn(services.get('pocketbase')!, { topology: 'cluster' }, 'local')).toEqual([
      { file: 'services/pocketbase/service.json', path: 'config.topology', message: 'this service has no topology (only a NATS service has)' },
    ]);
  });
});

describe('what changes and what each record says', () => {
  it('compares overrides by value, whatever the key order', () => {
    expect(canonical({ b: 1, a: { d: [2, 1], c: 0 } })).toBe(canonical({ a: { c: 0, d: [2, 1] }, b: 1 }));
    expect(changedServices({ nats: { topology: 'cluster' } }, { nats: { topology: 'cluster' } })).toEqual([]);
    expect(changedServices({ nats: { topology: 'cluster' } }, {})).toEqual(['nats']);
    expect(changedServices({}, { nats: { topology: 'cluster' } })).toEqual(['nats']);
  });

  it('holds a value whose apply failed (no retry) with the failure as the error, until the record changes', () => {
    const records = [record('nats', { topology: 'cluster' })];
    const judged = judgeRecords(records, services, validateOverride);
    const failed = new Map([['nats', { value: valueKey({ topology: 'cluster' }), message: 'port 6222 is in use' }]]);
    const held = desiredState(records, judged, {}, failed);
    expect(held.overrides).toEqual({});
    expect(held.errors.get('id-nats')).toBe('port 6222 is in use');

    const changed = [record('nats', { topology: 'single-node' })];
    const next = desiredState(changed, judgeRecords(changed, services, validateOverride), {}, failed);
    expect(next.overrides).toEqual({ nats: { topology: 'single-node' } });
    expect(next.errors.get('id-nats')).toBe('');
  });

  it('writes an error field only when it differs: no update event loops back', () => {
    const errors = new Map([
      ['id-nats', ''],
      ['id-x', 'bad'],
    ]);
    expect(errorUpdates([record('nats'), record('x', { error: 'bad' })], errors)).toEqual([]);
    expect(errorUpdates([record('nats', { error: 'old' }), record('x')], errors)).toEqual([
      { id: 'id-nats', error: '' },
      { id: 'id-x', error: 'bad' },
    ]);
  });
});

describe('the apply child', () => {
  it('reads success, a refusal (exit 2: nothing changed), a busy engine and a failure from its exit and JSON', () => {
    const answer = JSON.stringify({
      ok: true,
      processes: [
        { name: 'nats-leaf-lhr', action: 'add' },
        { name: 'nats-hub-1', action: 'keep' },
      ],
    });
    expect(outcomeOf(0, null, answer, '')).toEqual({ ok: true, summary: 'added nats-leaf-lhr' });
    const refused = JSON.stringify({
      version: 1,
      ok: false,
      error: { reason: 'invalid-input', message: '1 problem found', details: ['services/nats/service.json: config.x: bad'] },
    });
    expect(outcomeOf(2, null, refused, '')).toEqual({ ok: false, kind: 'bad-input', message: '1 problem found; services/nats/service.json: config.x: bad' });
    const busy = JSON.stringify({
      ok: false,
      error: { reason: 'apply-refused', message: 'apply 3 is in progress (started 10 ms ago); try again when it has finished', details: [] },
    });
    expect(outcomeOf(1, null, busy, '')).toMatchObject({ ok: false, kind: 'busy' });
    expect(outcomeOf(1, null, '{}\n{}', 'core: nats-leaf-lhr is not ready\n  last probe error: refused\n')).toEqual({
      ok: false,
      kind: 'failed',
      message: 'nats-leaf-lhr is not ready; last probe error: refused',
    });
  });
});

describe('serial: one pass at a time, a burst coalesced', () => {
  it('runs once more after the current pass, however many triggers came meanwhile', async () => {
    let runs = 0;
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const passes = serial(async () => {
      runs++;
      if (runs === 1) await gate;
    }, assertNoError);
    passes.trigger();
    for (let i = 0; i < 10; i++) passes.trigger();
    expect(runs).toBe(1);
    release();
    await passes.idle();
    expect(runs).toBe(2);
    passes.trigger();
    await passes.idle();
    expect(runs).toBe(3);
  });

  it('reports a failed pass and goes on; after close nothing runs', async () => {
    const errors: unknown[] = [];
    let runs = 0;
    const passes = serial(
      async () => {
        runs++;
        throw new Error('PocketBase went away');
      },
      (error) => errors.push(error),
    );
    passes.trigger();
    await passes.idle();
    expect(errors).toHaveLength(1);
    await passes.close();
    passes.trigger();
    await passes.idle();
    expect(runs).toBe(1);
  });
});

function assertNoError(error: unknown): never {
  throw error;
}
