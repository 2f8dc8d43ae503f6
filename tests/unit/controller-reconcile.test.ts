import { describe, expect, it } from 'vitest';
import type { ApplyOutcome } from '../../src/controller/apply-child.js';
import type { Overrides, TopologyRecord } from '../../src/controller/records.js';
import { type ControllerReport, createReconcile } from '../../src/controller/reconcile.js';
import { validateOverride } from '../../src/controller/validate-record.js';

const validate = (service: Parameters<typeof validateOverride>[0], value: Parameters<typeof validateOverride>[1]) => validateOverride(service, value, 'local');

/** A collection in memory, a file in memory, and an apply that answers what the test says. */
function harness(outcomes: ApplyOutcome[] = []) {
  const records = new Map<string, TopologyRecord>();
  const writes: Overrides[] = [];
  const applies: Overrides[] = [];
  const reports: ControllerReport[] = [];
  const errorWrites: { id: string; error: string }[] = [];
  let file: Overrides = {};
  let retries = 0;
  const reconcile = createReconcile({
    list: async () => [...records.values()],
    setError: async (id, error) => {
      errorWrites.push({ id, error });
      records.set(id, { ...records.get(id)!, error });
    },
    services: new Map([['nats', { file: 'services/nats/service.json', renderer: 'nats', topology: 'hub-spoke', deployment: { local: { hub_nodes: 2, leaf_regions: [] } } }]]),
    validate,
    initial: {},
    write: (overrides) => {
      file = overrides;
      writes.push(overrides);
    },
    apply: async () => {
      applies.push(file);
      return outcomes.shift() ?? { ok: true, summary: 'added nats-leaf-lhr' };
    },
    report: (r) => reports.push(r),
    retryLater: () => retries++,
  });
  const put = (fields: Partial<TopologyRecord>) => records.set('r1', { id: 'r1', service: 'nats', topology: '', deployment: null, error: '', ...fields });
  return { records, writes, applies, reports, errorWrites, reconcile, put, file: () => file, retries: () => retries };
}

const lhr = { local: { leaf_regions: ['lhr'] } };

describe('a reconcile pass', () => {
  it('applies a new valid record once; the pass its own error write causes changes nothing', async () => {
    const h = harness();
    h.put({ deployment: lhr });
    await h.reconcile();
    expect(h.applies).toEqual([{ nats: { deployment: lhr } }]);
    expect(h.reports.at(-1)).toMatchObject({ ok: true, reason: 'applied nats from its record', message: 'added nats-leaf-lhr' });
    await h.reconcile();
    await h.reconcile();
    expect(h.applies).toHaveLength(1);
    expect(h.errorWrites).toEqual([]);
  });

  it('a removed record returns the service to its manifest (the file is emptied)', async () => {
    const h = harness();
    h.put({ deployment: lhr });
    await h.reconcile();
    h.records.clear();
    await h.reconcile();
    expect(h.applies).toEqual([{ nats: { deployment: lhr } }, {}]);
    expect(h.reports.at(-1)?.reason).toBe('applied nats back to its manifest');
  });

  it('an invalid record changes nothing, says why on the record and in the log (once), and a later valid value clears it', async () => {
    const h = harness();
    h.put({ topology: 'mesh' });
    await h.reconcile();
    await h.reconcile();
    expect(h.applies).toEqual([]);
    expect(h.writes).toEqual([]);
    expect(h.records.get('r1')?.error).toMatch(/config\.topology: /);
    expect(h.reports.filter((r) => !r.ok)).toHaveLength(1);
    h.put({ topology: '', deployment: lhr, error: h.records.get('r1')!.error });
    await h.reconcile();
    expect(h.applies).toHaveLength(1);
    expect(h.records.get('r1')?.error).toBe('');
  });

  it('a record made invalid keeps its last valid value running (nothing changes)', async () => {
    const h = harness();
    h.put({ deployment: lhr });
    await h.reconcile();
    h.put({ deployment: { local: { leaf_regions: 'lhr' } }, topology: 'mesh' });
    await h.reconcile();
    expect(h.applies).toHaveLength(1);
    expect(h.file()).toEqual({ nats: { deployment: lhr } });
    expect(h.records.get('r1')?.error).toMatch(/config\.topology: .*config\.deployment\.local\.leaf_regions: /);
  });

  it('an apply refused with exit 2 restores the file, puts the reason on the record and is not retried', async () => {
    const h = harness([{ ok: false, kind: 'bad-input', message: 'port 7422 is in use' }]);
    h.put({ deployment: lhr });
    await h.reconcile();
    expect(h.file()).toEqual({});
    expect(h.records.get('r1')?.error).toBe('port 7422 is in use');
    await h.reconcile();
    expect(h.applies).toHaveLength(1);
    // The record changes: tried again.
    h.put({ deployment: { local: { leaf_regions: ['nrt'] } }, error: 'port 7422 is in use' });
    await h.reconcile();
    expect(h.applies).toHaveLength(2);
    expect(h.records.get('r1')?.error).toBe('');
  });

  it('a busy engine: the file goes back and the pass is retried later, the record untouched', async () => {
    const h = harness([{ ok: false, kind: 'busy', message: 'apply 1 is in progress' }]);
    h.put({ deployment: lhr });
    await h.reconcile();
    expect(h.file()).toEqual({});
    expect(h.retries()).toBe(1);
    expect(h.errorWrites).toEqual([]);
    await h.reconcile();
    expect(h.file()).toEqual({ nats: { deployment: lhr } });
  });
});
