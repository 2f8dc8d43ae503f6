/**
 * The pure parts of carrying NATS streams across a topology change
 * (src/services/nats-migrate/): which changes need a carry-over, the configs
 * that recreate a stream and its consumers, and the refusal of a start that
 * would leave streams behind on disk (real folders, no server).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { PlannedService, StackPlan } from '../../src/plan/types.js';
import type { BackupStream } from '../../src/services/nats-migrate/backup.js';
import { carriesNeeded, roleOf } from '../../src/services/nats-migrate/groups.js';
import { withHint } from '../../src/services/nats-migrate/hook.js';
import { refuseStrandedStreams } from '../../src/services/nats-migrate/stranded.js';
import { cannotCarry, recreateConfig, recreateConsumer } from '../../src/services/nats-migrate/stream-config.js';
import { InputError, RuntimeError } from '../../src/support/errors.js';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'core-nats-migrate-unit-'));
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));
const base = path.join(root, '.data/nats');

/** A NATS process as the plan gives it (only what the carry-over reads). */
function nats(name: string, service = 'nats', role?: string): PlannedService {
  return {
    name,
    service,
    topology: { role: role ?? 'single', index: 0 },
    renderer: 'nats',
    config: { jetstream: true, store_dir: base },
    ports: { client: { port: 4222, host: '127.0.0.1', protocol: 'nats' } },
    env: {},
    secretEnv: [],
  } as unknown as PlannedService;
}
const other = { name: 'pocketbase', service: 'pocketbase', renderer: 'pocketbase', config: {} } as unknown as PlannedService;
const planOf = (...services: PlannedService[]) => ({ root, services }) as unknown as StackPlan;
const cluster = planOf(nats('nats-1', 'nats', 'node'), nats('nats-2', 'nats', 'node'), nats('nats-3', 'nats', 'node'), other);
const single = planOf(nats('nats'), other);

describe('which changes carry streams over', () => {
  it.each([
    ['nats', 'single'],
    ['nats-2', 'node'],
    ['nats-hub-1', 'hub'],
    ['nats-leaf-lhr', 'leaf'],
    ['nats-leaf-lhr-2', 'leaf'],
    ['nats-ui', undefined],
    ['natsx', undefined],
  ])('%s is %s', (name, role) => expect(roleOf(name, 'nats')).toBe(role));

  it('single node → cluster: from nats to nats-1…3', () => {
    const [need] = carriesNeeded(['nats', 'pocketbase'], cluster);
    expect([need?.service, need?.from, need?.to.map((s) => s.name), need?.base]).toEqual(['nats', ['nats'], ['nats-1', 'nats-2', 'nats-3'], base]);
  });

  it('cluster → single node: from nats-1…3 to nats', () => {
    const [need] = carriesNeeded(['nats-1', 'nats-2', 'nats-3', 'pocketbase'], single);
    expect([need?.from, need?.to.map((s) => s.name), need?.base]).toEqual([['nats-1', 'nats-2', 'nats-3'], ['nats'], base]);
  });

  it('cluster → hub-spoke: from the nodes to the hubs, leaves hold none of them', () => {
    const hubs = planOf(nats('nats-hub-1', 'nats', 'hub'), nats('nats-hub-2', 'nats', 'hub'), nats('nats-leaf-lhr', 'nats', 'leaf'));
    const [need] = carriesNeeded(['nats-1', 'nats-2', 'nats-3'], hubs);
    expect([need?.from, need?.to.map((s) => s.name)]).toEqual([
      ['nats-1', 'nats-2', 'nats-3'],
      ['nats-hub-1', 'nats-hub-2'],
    ]);
  });

  it('none where a process that holds the streams stays (3 → 5 nodes, the same single node), or NATS is new', () => {
    expect(carriesNeeded(['nats-1', 'nats-2', 'nats-3'], planOf(...[1, 2, 3, 4, 5].map((i) => nats(`nats-${i}`, 'nats', 'node'))))).toEqual([]);
    expect(carriesNeeded(['nats', 'pocketbase'], single)).toEqual([]);
    expect(carriesNeeded(['pocketbase'], cluster)).toEqual([]);
  });

  it('none for a NATS without JetStream', () => {
    const plain = nats('nats-1', 'nats', 'node');
    expect(carriesNeeded(['nats'], planOf({ ...plain, config: { ...plain.config, jetstream: false } } as PlannedService))).toEqual([]);
  });
});

describe('the configs that recreate a stream and its consumers', () => {
  const stream = (config: Record<string, unknown>, first_seq = 1): BackupStream => ({
    name: 'S',
    config: { name: 'S', ...config },
    messages: 1,
    first_seq,
    last_seq: 1,
    consumers: [],
    file: 'streams/0000.jsonl',
  });

  it('keeps the config; caps replicas at the cluster size; drops placement and the server-set metadata; seals only afterwards', () => {
    const { config, sealedAfter } = recreateConfig(
      stream({ num_replicas: 5, subjects: ['a.>'], placement: { cluster: 'old' }, sealed: true, metadata: { '_nats.ver': '2.14.5', team: 'x' } }, 41),
      3,
    );
    expect(config).toEqual({ name: 'S', num_replicas: 3, subjects: ['a.>'], metadata: { team: 'x' }, first_seq: 41 });
    expect(sealedAfter).toBe(true);
    expect(recreateConfig(stream({ num_replicas: 3 }), 1).config.num_replicas).toBe(1);
  });

  it('refuses mirrors and sourced streams (a republish cannot recreate them)', () => {
    expect(cannotCarry({ mirror: { name: 'A' } })).toBe('it mirrors another stream');
    expect(cannotCarry({ sources: [{ name: 'A' }] })).toBe('it sources other streams');
    expect(cannotCarry({ sources: [] })).toBeUndefined();
  });

  it('a durable consumer that had acknowledged a prefix starts after it', () => {
    const config = recreateConsumer({ config: { durable_name: 'w', deliver_policy: 'all', ack_policy: 'explicit' }, ack_floor: 100 }, (floor) => floor + 1);
    expect(config).toEqual({ durable_name: 'w', deliver_policy: 'by_start_sequence', opt_start_seq: 101, ack_policy: 'explicit' });
    expect(recreateConsumer({ config: { durable_name: 'w', deliver_policy: 'new' }, ack_floor: 100 }, () => 1)).toEqual({ durable_name: 'w', deliver_policy: 'new' });
  });
});

describe('a start that would leave streams behind on disk', () => {
  const stream = (store: string, name: string) => fs.mkdirSync(path.join(store, 'jetstream/$G/streams', name), { recursive: true });
  const refusal = (plan: StackPlan) => {
    try {
      refuseStrandedStreams(plan);
    } catch (error) {
      return error;
    }
    return undefined;
  };

  it('nothing on disk, or streams where the plan keeps them: starts', () => {
    expect(refusal(cluster)).toBeUndefined();
    stream(base, 'ORDERS');
    expect(refusal(single)).toBeUndefined();
  });

  it("a cluster over the single node's streams: exit 2, naming the folder, the streams and what to do; nothing moved", () => {
    const error = refusal(cluster) as InputError;
    expect(error).toBeInstanceOf(InputError);
    expect(error.message).toBe('nats: .data/nats/jetstream holds JetStream streams that nats-1, nats-2, nats-3 would not have');
    expect(error.details.join('\n')).toContain('$G/ORDERS');
    expect(error.details.join('\n')).toContain('start the stack as it was (topology "single-node"), then change the topology on the running stack');
    expect(error.details.join('\n')).toContain('move .data/nats/jetstream aside yourself');
    expect(fs.existsSync(path.join(base, 'jetstream/$G/streams/ORDERS'))).toBe(true);
    expect(() => refuseStrandedStreams(cluster, ['pocketbase'])).not.toThrow(); // NATS is not starting
  });

  it("a single node over a cluster's streams: refused too", () => {
    fs.renameSync(path.join(base, 'jetstream'), path.join(root, 'aside'));
    stream(path.join(base, 'nats-1'), 'ORDERS');
    stream(path.join(base, 'nats-2'), 'ORDERS');
    expect((refusal(single) as InputError).message).toBe('nats: .data/nats/nats-1, .data/nats/nats-2 hold JetStream streams that nats would not have');
    expect(refusal(cluster)).toBeUndefined();
  });
});

describe('a change that fails after the streams were checked', () => {
  const hook = {
    finish: async () => ({ lines: [], json: [] }),
    hint: () => [
      'the old store is untouched: .data/nats/jetstream',
      'to go back: set the topology as it was and run `core up` (the old store is used as it is); then change the topology again',
    ],
  };

  it('keeps the error, its kind and exit code; a failure after the change began says where the old store is (a refusal: nothing to add, nothing was read into a backup)', () => {
    const refused = new InputError('apply-refused', 'bad');
    expect(withHint(refused, hook)).toBe(refused);
    const failed = withHint(new RuntimeError('apply-failed', 'socket closed', ['first']), hook) as RuntimeError;
    expect([failed instanceof RuntimeError, failed.details]).toEqual([true, ['first', ...hook.hint()]]);
    expect((withHint(new Error('boom'), hook) as RuntimeError).details).toEqual(hook.hint());
    const plain = new Error('untouched');
    expect(withHint(plain, undefined)).toBe(plain);
  });
});
