import { describe, expect, it } from 'vitest';
import type { ComposeProcess } from '../../src/compose/schema.js';
import { diffProcess, diffStacks, namesOf, type ProcessInputs } from '../../src/engine/diff.js';
import { doc, httpProbe, proc } from './fakes.js';

const base: ComposeProcess = proc('app', {
  entrypoint: ['/bin/app', '--port', '8080'],
  environment: ['A=1', 'B=2'],
  readiness_probe: httpProbe(8080),
  'x-core': { service: 'app', secret_env: ['API_TOKEN'], config_sha256: 'a'.repeat(64) },
});
const inputs: ProcessInputs = { secrets: { API_TOKEN: 'fp1' }, binary: 'bin1' };

type Row = [field: string, change: Partial<ComposeProcess>, inputsAfter: ProcessInputs | undefined, reasons: string[], updates: string[]];

// Every field of a process: which difference restarts it (reasons) and which is applied in place (updates).
const ROWS: Row[] = [
  ['nothing', {}, undefined, [], []],
  ['command', { entrypoint: ['/bin/other', '--port', '8080'] }, undefined, ['command'], []],
  ['args', { entrypoint: ['/bin/app', '--port', '8081'] }, undefined, ['args'], []],
  ['working_dir', { working_dir: '/srv' }, undefined, ['working_dir'], []],
  ['environment value', { environment: ['A=1', 'B=3'] }, undefined, ['environment (B)'], []],
  ['environment key added', { environment: ['A=1', 'B=2', 'C=0'] }, undefined, ['environment (C)'], []],
  ['environment key removed', { environment: ['A=1'] }, undefined, ['environment (B)'], []],
  ['environment order only', { environment: ['B=2', 'A=1'] }, undefined, [], []],
  ['secret value (by fingerprint)', {}, { ...inputs, secrets: { API_TOKEN: 'fp2' } }, ['secrets (API_TOKEN)'], []],
  [
    'secret key added',
    { 'x-core': { ...base['x-core']!, secret_env: ['API_TOKEN', 'DB_PASSWORD'] } },
    { ...inputs, secrets: { API_TOKEN: 'fp1', DB_PASSWORD: 'x' } },
    ['secrets (DB_PASSWORD)'],
    [],
  ],
  ['config files', { 'x-core': { ...base['x-core']!, config_sha256: 'b'.repeat(64) } }, undefined, ['config files'], []],
  ['binary', {}, { ...inputs, binary: 'bin2' }, ['binary'], []],
  ['binary unknown after', {}, { secrets: inputs.secrets! }, [], []],
  ['log_location', { log_location: '/var/log/app.log' }, undefined, ['log_location'], []],
  ['description', { description: 'new words' }, undefined, [], ['description']],
  ['depends_on', { depends_on: { db: { condition: 'process_healthy' } } }, undefined, [], ['depends_on']],
  ['readiness probe timing', { readiness_probe: httpProbe(8080, { period_seconds: 7 }) }, undefined, [], ['readiness_probe']],
  ['liveness probe', { liveness_probe: httpProbe(8080) }, undefined, [], ['liveness_probe']],
  ['ready_log_line', { ready_log_line: 'up' }, undefined, [], ['ready_log_line']],
  ['availability', { availability: { restart: 'always', backoff_seconds: 3 } }, undefined, [], ['availability']],
  ['shutdown', { shutdown: { signal: 2, timeout_seconds: 30 } }, undefined, [], ['shutdown']],
  ['disabled', { disabled: true }, undefined, [], ['disabled']],
  ['success_exit_codes', { success_exit_codes: [0, 3] }, undefined, [], ['success_exit_codes']],
  ['launch_timeout_seconds', { launch_timeout_seconds: 9 }, undefined, [], ['launch_timeout_seconds']],
  ['log_configuration', { log_configuration: { flush_each_line: false } }, undefined, [], ['log_configuration']],
  ['x-core.readiness_tcp', { 'x-core': { ...base['x-core']!, readiness_tcp: { host: '127.0.0.1', port: 1 } } }, undefined, [], ['x-core.readiness_tcp']],
  ['x-core.one_shot', { 'x-core': { ...base['x-core']!, one_shot: true } }, undefined, [], ['x-core.one_shot']],
  ['x-core.restart_backoff', { 'x-core': { ...base['x-core']!, restart_backoff: 'doubling' } }, undefined, [], ['x-core.restart_backoff']],
  [
    'several at once',
    { entrypoint: ['/bin/app', '--port', '9'], environment: ['A=0', 'B=2'], description: 'd', shutdown: { signal: 15, timeout_seconds: 1 } },
    undefined,
    ['args', 'environment (A)'],
    ['description', 'shutdown'],
  ],
];

describe('diff of one process: a row per field', () => {
  it.each(ROWS)('%s', (_, change, inputsAfter, reasons, updates) => {
    const result = diffProcess('app', base, { ...base, ...change }, inputs, inputsAfter ?? inputs);
    expect(result).toEqual(reasons.length ? { name: 'app', action: 'replace', reasons, updates } : { name: 'app', action: 'keep', updates });
  });

  it('never carries a secret value, only the key', () => {
    const result = diffProcess('app', base, base, { secrets: { API_TOKEN: 'sha-of-hunter2' } }, { secrets: { API_TOKEN: 'sha-of-other' } });
    expect(JSON.stringify(result)).not.toContain('sha-of');
  });
});

describe('diff of two documents', () => {
  const running = doc({ nats: {}, pb: { depends_on: { nats: { condition: 'process_healthy' } } }, app: { environment: ['X=1'] } });

  it('the same document: everything kept, nothing to do', () => {
    const diff = diffStacks({ doc: running }, { doc: structuredClone(running) });
    expect(diff.unchanged).toBe(true);
    expect(namesOf(diff, 'keep')).toEqual(['nats', 'pb', 'app']);
  });

  it('add, remove, replace and keep in one go; removals first', () => {
    const desired = doc({ nats: {}, pb: { depends_on: { nats: { condition: 'process_healthy' } } }, web: {} });
    desired.processes.pb = { ...desired.processes.pb!, environment: ['NEW=1'] };
    const diff = diffStacks({ doc: running }, { doc: desired });
    expect(diff.unchanged).toBe(false);
    expect(diff.processes.map((p) => `${p.action}:${p.name}`)).toEqual(['remove:app', 'keep:nats', 'replace:pb', 'add:web']);
  });

  it('a replaced dependency does not make its dependent a replace', () => {
    const desired = structuredClone(running);
    desired.processes.nats!.entrypoint = ['nats', '-DV'];
    const diff = diffStacks({ doc: running }, { doc: desired });
    expect(namesOf(diff, 'replace')).toEqual(['nats']);
    expect(namesOf(diff, 'keep')).toEqual(['pb', 'app']);
  });
});

describe('diff of a reloadable config (x-core.reload)', () => {
  const verify = { test_argv: ['/dep/nats-server', '-t', '-c', '/s/nats-1.conf'], varz_url: 'http://127.0.0.1:8222/varz' };
  const reload = (sha: string, extra: object = {}) => ({ signal: 1, sha256: sha.repeat(64), ...extra });
  const nats = (r?: ReturnType<typeof reload>, config = 'c'): ComposeProcess =>
    proc('nats-1', { 'x-core': { service: 'nats', config_sha256: config.repeat(64), ...(r ? { reload: r } : {}) } });

  it('only its fingerprint changed: kept (same pid), marked for a reload, the field named', () => {
    expect(diffProcess('nats-1', nats(reload('a', { verify })), nats(reload('b', { verify })))).toEqual({
      name: 'nats-1',
      action: 'keep',
      updates: ['x-core.reload'],
      reload: true,
    });
  });

  it('gaining reload with the rest the same: kept and reloaded', () => {
    expect(diffProcess('nats-1', nats(), nats(reload('a')))).toEqual({ name: 'nats-1', action: 'keep', updates: ['x-core.reload'], reload: true });
  });

  it('losing reload, or a new verify or signal alone: kept, updated in place, nothing to signal', () => {
    expect(diffProcess('nats-1', nats(reload('a')), nats())).toEqual({ name: 'nats-1', action: 'keep', updates: ['x-core.reload'] });
    expect(diffProcess('nats-1', nats(reload('a')), nats(reload('a', { verify })))).toEqual({ name: 'nats-1', action: 'keep', updates: ['x-core.reload'] });
    expect(diffProcess('nats-1', nats(reload('a')), nats({ ...reload('a'), signal: 10 }))).toEqual({ name: 'nats-1', action: 'keep', updates: ['x-core.reload'] });
  });

  it('the same reload: nothing at all', () => {
    expect(diffProcess('nats-1', nats(reload('a', { verify })), nats(reload('a', { verify })))).toEqual({ name: 'nats-1', action: 'keep', updates: [] });
  });

  it('its non-reloadable config changed too: a replace, not a reload', () => {
    expect(diffProcess('nats-1', nats(reload('a')), nats(reload('b'), 'd'))).toEqual({
      name: 'nats-1',
      action: 'replace',
      reasons: ['config files'],
      updates: ['x-core.reload'],
    });
  });

  it('in a document: the reloaded process is a keep, so the stack counts as unchanged (nothing added, removed or replaced)', () => {
    const before = { version: '0.5' as const, name: 't', processes: { 'nats-1': nats(reload('a')), 'nats-2': nats(reload('a')) } };
    const after = { ...before, processes: { 'nats-1': nats(reload('b')), 'nats-2': nats(reload('a')) } };
    const diff = diffStacks({ doc: before }, { doc: after });
    expect(diff.unchanged).toBe(true);
    expect(diff.processes.filter((p) => p.action === 'keep' && p.reload).map((p) => p.name)).toEqual(['nats-1']);
  });
});
