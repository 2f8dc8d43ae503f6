/**
 * The process-compose loader, part 4: several -f files merged (loader/merger.go,
 * mergo WithOverride + WithAppendSlice) and `extends` at project level
 * (loader.go loadExtendProject) and process level (loader/extends.go).
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadFail, loadOk, pcDir } from '../helpers/pc-project.js';

const BASE = [
  'environment: [A=1, B=1]',
  'processes:',
  '  web:',
  '    command: echo base',
  '    disabled: true',
  '    availability: { restart: always, max_restarts: 3 }',
  '    success_exit_codes: [1]',
  '    namespace: [one, two]',
  '    environment: [X=1, Y=1]',
  '    depends_on: { db: { condition: process_started } }',
  '  db:',
  '    command: echo db',
].join('\n');

const OVER = [
  'environment: [B=2]',
  'processes:',
  '  web:',
  '    command: echo over',
  '    disabled: false',
  '    availability: { restart: "no", backoff_seconds: 4 }',
  '    success_exit_codes: [2]',
  '    namespace: three',
  '    environment: [Y=2]',
  '  extra:',
  '    command: echo extra',
].join('\n');

describe('pc-project: several files', () => {
  const merged = () => {
    const dir = pcDir({ 'base.yaml': BASE, 'over.yaml': OVER });
    return loadOk(dir, { files: ['base.yaml', 'over.yaml'], namespaces: [] }).doc;
  };

  it('overrides scalars and adds new processes', () => {
    const doc = merged();
    expect(doc.processes.web?.entrypoint).toEqual(['bash', '-c', 'echo over']);
    expect(Object.keys(doc.processes).sort()).toEqual(['db', 'extra', 'web']);
  });

  // mergo WithOverride: a Go zero value (false, "no", 0) in the override does not replace the base value.
  it('keeps the base value where the override has a zero value (disabled: false, restart: no)', () => {
    const web = merged().processes.web;
    expect(web?.disabled).toBe(true);
    expect(web?.availability).toEqual({ restart: 'always', max_restarts: 3, backoff_seconds: 4 });
  });

  // WithAppendSlice: lists are appended.
  it('appends lists such as success_exit_codes', () => {
    expect(merged().processes.web?.success_exit_codes).toEqual([1, 2]);
  });

  // merger.go processSpecials/projectSpecials: environment merged by key.
  it('merges environment by key, project and process', () => {
    const web = merged().processes.web;
    expect(web?.environment).toEqual(expect.arrayContaining(['A=1', 'B=2', 'X=1', 'Y=2']));
    expect(web?.environment).not.toContain('Y=1');
  });

  it('keeps depends_on from the base file', () => {
    expect(merged().processes.web?.depends_on).toEqual({ db: { condition: 'process_started' } });
  });

  // processSpecials: namespaces are replaced as a whole.
  it('replaces namespace as a whole', () => {
    const dir = pcDir({ 'base.yaml': BASE, 'over.yaml': OVER });
    const r = loadOk(dir, { files: ['base.yaml', 'over.yaml'], namespaces: ['three'] });
    expect(Object.keys(r.doc.processes)).toEqual(['web']);
    const r2 = loadOk(dir, { files: ['base.yaml', 'over.yaml'], namespaces: ['one'] });
    expect(r2.doc.processes.web).toBeUndefined();
  });
});

describe('pc-project: extends', () => {
  // loadExtendProject: the base file, relative to the extending file, is merged first; copyWorkingDirToProcesses rebases its processes.
  it('merges a project-level extends first, its processes running from its own folder', () => {
    const dir = pcDir({
      'shared/base.yaml': 'processes:\n  svc:\n    command: echo base\n  tool:\n    command: echo tool\n    working_dir: bin\n',
      'app/pc.yaml': 'extends: ../shared/base.yaml\nprocesses:\n  svc:\n    command: echo app\n',
    });
    const r = loadOk(dir, { files: ['app/pc.yaml'] });
    expect(r.doc.processes.svc?.entrypoint).toEqual(['bash', '-c', 'echo app']);
    expect(r.doc.processes.svc?.working_dir).toBe(path.join(dir, 'shared'));
    expect(r.doc.processes.tool?.working_dir).toBe(path.join(dir, 'shared/bin'));
    expect(r.projectDir).toBe(path.join(dir, 'app'));
  });

  it('refuses a project that extends a file already given with -f', () => {
    const dir = pcDir({ 'a.yaml': 'processes:\n  x:\n    command: x\n', 'b.yaml': 'extends: a.yaml\nprocesses: {}\n' });
    expect(loadFail(dir, { files: ['a.yaml', 'b.yaml'] })[0]?.path).toBe('extends');
  });

  // resolveProcessExtends: the child's own values win, chains resolve, lists append.
  it('resolves process-level extends, transitively, the child winning', () => {
    const dir = pcDir({
      'pc.yaml': [
        'processes:',
        '  base:',
        '    command: echo base',
        '    environment: [A=1]',
        '    availability: { restart: on_failure }',
        '  mid:',
        '    extends: base',
        '    environment: [B=2]',
        '  leaf:',
        '    extends: mid',
        '    command: echo leaf',
      ].join('\n'),
    });
    const leaf = loadOk(dir, { files: ['pc.yaml'] }).doc.processes.leaf;
    expect(leaf?.entrypoint).toEqual(['bash', '-c', 'echo leaf']);
    expect(leaf?.environment).toEqual(expect.arrayContaining(['A=1', 'B=2']));
    expect(leaf?.availability?.restart).toBe('on_failure');
  });

  it('refuses a circular, self or unknown process extends', () => {
    const dir = pcDir({
      'c.yaml': 'processes:\n  a:\n    extends: b\n  b:\n    extends: a\n',
      's.yaml': 'processes:\n  a:\n    extends: a\n',
      'u.yaml': 'processes:\n  a:\n    extends: ghost\n',
    });
    expect(loadFail(dir, { files: ['c.yaml'] })[0]?.message).toContain('circular extends');
    expect(loadFail(dir, { files: ['s.yaml'] })[0]?.message).toContain('cannot extend itself');
    expect(loadFail(dir, { files: ['u.yaml'] })[0]?.message).toContain("unknown process 'ghost'");
  });
});
