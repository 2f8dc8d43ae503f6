/**
 * The process-compose loader, part 5: replicas (loader/mutators.go cloneReplicas,
 * ProcessConfig.CalculateReplicaName), namespaces and -n (admitter/), and the
 * `up PROCESS…` selection (app/project_runner.go selectRunningProcesses[NoDeps]).
 */
import { describe, expect, it } from 'vitest';
import { replicaName } from '../../src/pc-project/build.js';
import { MAX_REPLICAS } from '../../src/pc-project/schema.js';
import { loadFail, loadOk, pcDir } from '../helpers/pc-project.js';

const CHAIN = [
  'processes:',
  '  db:',
  '    command: echo db',
  '    namespace: data',
  '  api:',
  '    command: echo api',
  '    namespace: [app, data]',
  '    depends_on: { db: { condition: process_started } }',
  '  web:',
  '    command: echo web',
  '    namespace: app',
  '    depends_on: { api: { condition: process_started } }',
  '  other:',
  '    command: echo other',
].join('\n');

const disabledOf = (doc: { processes: Record<string, { disabled?: boolean }> }) => Object.fromEntries(Object.entries(doc.processes).map(([n, p]) => [n, p.disabled === true]));

describe('pc-project: replicas', () => {
  // CalculateReplicaName: width 1 + floor(log10(replicas)).
  it('names replicas name-N, zero-padded from 10', () => {
    expect(replicaName('web', 1, 0)).toBe('web');
    expect(replicaName('web', 3, 2)).toBe('web-2');
    expect(replicaName('web', 10, 3)).toBe('web-03');
    expect(replicaName('web', 100, 7)).toBe('web-007');
  });

  it('refuses more than MAX_REPLICAS replicas, naming the key (a typo must not fork-bomb the machine)', () => {
    const dir = pcDir({ 'pc.yaml': `processes:\n  web:\n    command: sleep 1\n    replicas: ${MAX_REPLICAS + 1}\n` });
    const issues = loadFail(dir, { files: ['pc.yaml'] });
    expect(issues).toEqual([expect.objectContaining({ path: 'processes.web.replicas', message: expect.stringContaining(`at most ${MAX_REPLICAS} replicas`) })]);
  });

  it('clones a process per replica with PC_PROC_NAME the file name and PC_REPLICA_NUM its number', () => {
    const dir = pcDir({ 'pc.yaml': 'processes:\n  web:\n    command: echo $$PC_REPLICA_NUM\n    replicas: 2\n' });
    const doc = loadOk(dir, { files: ['pc.yaml'] }).doc;
    expect(Object.keys(doc.processes)).toEqual(['web-0', 'web-1']);
    expect(doc.processes['web-1']?.environment).toEqual(expect.arrayContaining(['PC_PROC_NAME=web', 'PC_REPLICA_NUM=1']));
    expect(doc.processes['web-1']?.['x-core']?.service).toBe('web-1');
  });

  // cloneReplicas: a dependency on a replicated process becomes one on each replica.
  it('turns a dependency on a replicated process into one on every replica', () => {
    const dir = pcDir({ 'pc.yaml': 'processes:\n  w:\n    command: x\n    replicas: 2\n  c:\n    command: y\n    depends_on: { w: { condition: process_completed } }\n' });
    expect(loadOk(dir, { files: ['pc.yaml'] }).doc.processes.c?.depends_on).toEqual({ 'w-0': { condition: 'process_completed' }, 'w-1': { condition: 'process_completed' } });
  });

  // getLogPath: `{PC_REPLICA_NUM}` replaced, else `.N` appended for a replicated process.
  it('gives each replica its own log file', () => {
    const dir = pcDir({
      'pc.yaml':
        'processes:\n  w:\n    command: x\n    replicas: 2\n    log_location: /tmp/w.log\n  v:\n    command: x\n    replicas: 2\n    log_location: /tmp/v-{PC_REPLICA_NUM}.log\n',
    });
    const doc = loadOk(dir, { files: ['pc.yaml'] }).doc;
    expect(doc.processes['w-1']?.log_location).toBe('/tmp/w.log.1');
    expect(doc.processes['v-1']?.log_location).toBe('/tmp/v-1.log');
  });
});

describe('pc-project: namespaces and selection', () => {
  // NamespaceAdmitter + ApplyToProject: others are removed and dependencies on them dropped.
  it('keeps only the -n namespaces (default "default"), dropping dependencies on removed processes', () => {
    const dir = pcDir({ 'pc.yaml': CHAIN });
    const doc = loadOk(dir, { files: ['pc.yaml'], namespaces: ['app'] }).doc;
    expect(Object.keys(doc.processes).sort()).toEqual(['api', 'web']);
    expect(doc.processes.api?.depends_on).toBeUndefined();
    expect(Object.keys(loadOk(dir, { files: ['pc.yaml'], namespaces: ['default'] }).doc.processes)).toEqual(['other']);
  });

  // selectRunningProcesses: the named processes and their dependencies run, the rest are Disabled.
  it('PROCESS runs it and its dependencies, the rest Disabled', () => {
    const dir = pcDir({ 'pc.yaml': CHAIN });
    const doc = loadOk(dir, { files: ['pc.yaml'], processes: ['api'] }).doc;
    expect(disabledOf(doc)).toEqual({ db: false, api: false, web: true, other: true });
  });

  // selectRunningProcessesNoDeps: only the named ones, their depends_on cleared.
  it('PROCESS --no-deps runs only it, its depends_on cleared', () => {
    const dir = pcDir({ 'pc.yaml': CHAIN });
    const doc = loadOk(dir, { files: ['pc.yaml'], processes: ['web'], noDeps: true }).doc;
    expect(disabledOf(doc)).toEqual({ db: true, api: true, web: false, other: true });
    expect(doc.processes.web?.depends_on).toBeUndefined();
  });

  it('a selected process is enabled even when the file disables it', () => {
    const dir = pcDir({ 'pc.yaml': 'processes:\n  a:\n    command: x\n    disabled: true\n  b:\n    command: y\n' });
    expect(disabledOf(loadOk(dir, { files: ['pc.yaml'], processes: ['a'] }).doc)).toEqual({ a: false, b: true });
  });

  it('selects every replica by the group name', () => {
    const dir = pcDir({ 'pc.yaml': 'processes:\n  w:\n    command: x\n    replicas: 2\n  o:\n    command: y\n' });
    expect(disabledOf(loadOk(dir, { files: ['pc.yaml'], processes: ['w'] }).doc)).toEqual({ 'w-0': false, 'w-1': false, o: true });
  });

  // GetProcesses: "no such process".
  it('fails on an unknown PROCESS', () => {
    const dir = pcDir({ 'pc.yaml': CHAIN });
    expect(loadFail(dir, { files: ['pc.yaml'], processes: ['nope'] })[0]?.message).toBe('no such process: nope');
  });

  // convertStrDisabledToBool and disableProcsInEnv (PC_DISABLED_PROCESSES).
  it('honours is_disabled and PC_DISABLED_PROCESSES', () => {
    const dir = pcDir({ 'pc.yaml': 'processes:\n  a:\n    command: x\n    is_disabled: "true"\n  b:\n    command: y\n  c:\n    command: z\n' });
    expect(disabledOf(loadOk(dir, { files: ['pc.yaml'], env: { PC_DISABLED_PROCESSES: 'c' } }).doc)).toEqual({ a: true, b: false, c: true });
  });
});
