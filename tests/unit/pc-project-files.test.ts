/**
 * The process-compose loader, part 1: which files are read, and what a bad file
 * gives. Each rule from process-compose v1.122.0's source, named per test.
 */
import fs from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { ComposeDocSchema } from '../../src/compose/schema.js';
import { load, loadFail, loadOk, pcDir } from '../helpers/pc-project.js';

const ONE = 'processes:\n  a:\n    command: echo a\n';

describe('pc-project: files', () => {
  // loader.go autoDiscoverComposeFile + DefaultFileNames: compose.yml first, then compose.yaml, process-compose.yml, process-compose.yaml.
  it('discovers the first default name in cwd, in process-compose order, and warns about the others', () => {
    const dir = pcDir({ 'process-compose.yaml': 'processes:\n  late:\n    command: x\n', 'compose.yml': ONE });
    const r = loadOk(dir);
    expect(Object.keys(r.doc.processes)).toEqual(['a']);
    expect(r.projectDir).toBe(dir);
    expect(r.warnings.some((w) => w.message.includes('several config files'))).toBe(true);
  });

  // autoDiscoverComposeFile: an override file (compose.override.yml …) is appended after the discovered file.
  it('adds the first default override file after the discovered file', () => {
    const dir = pcDir({ 'process-compose.yaml': ONE, 'process-compose.override.yaml': 'processes:\n  a:\n    command: echo over\n' });
    expect(loadOk(dir).doc.processes.a?.entrypoint).toEqual(['bash', '-c', 'echo over']);
  });

  // autoDiscoverComposeFile: "no config files found in <dir>".
  it('fails naming the folder when no file is found', () => {
    const dir = pcDir({});
    expect(loadFail(dir)[0]?.message).toContain('no config files found');
  });

  it('fails naming the file when a -f file cannot be read', () => {
    const dir = pcDir({});
    const issues = loadFail(dir, { files: ['missing.yaml'] });
    expect(issues[0]?.file).toBe(path.join(dir, 'missing.yaml'));
  });

  it('reads -f files relative to cwd, and projectDir is the first file’s folder', () => {
    const dir = pcDir({ 'sub/pc.yaml': ONE });
    const r = loadOk(dir, { files: ['sub/pc.yaml'] });
    expect(r.projectDir).toBe(path.join(dir, 'sub'));
  });

  it('reports a YAML syntax error with the file and the line', () => {
    const dir = pcDir({ 'pc.yaml': 'processes:\n  a:\n    command: "unterminated\n' });
    const [issue] = loadFail(dir, { files: ['pc.yaml'] });
    expect(issue?.file).toBe(path.join(dir, 'pc.yaml'));
    expect(issue?.message).toMatch(/^line \d+: YAML/);
  });

  // yaml.v3 rejects a mapping key defined twice.
  it('reports a duplicate key as a YAML error', () => {
    const dir = pcDir({ 'pc.yaml': 'processes:\n  a:\n    command: x\n    command: y\n' });
    expect(loadFail(dir, { files: ['pc.yaml'] })[0]?.message).toMatch(/line 4/);
  });

  // RestartPolicy.UnmarshalYAML: "invalid restart policy".
  it('reports a bad value with the key path and line', () => {
    const dir = pcDir({ 'pc.yaml': 'processes:\n  web:\n    command: x\n    availability:\n      restart: sometimes\n' });
    const [issue] = loadFail(dir, { files: ['pc.yaml'] });
    expect(issue?.path).toBe('processes.web.availability.restart');
    expect(issue?.message).toMatch(/^line 5: /);
  });

  // types.Environment is []string with no custom unmarshaller: a map does not decode.
  it('refuses a map as environment, as process-compose does', () => {
    const dir = pcDir({ 'pc.yaml': 'processes:\n  web:\n    command: x\n    environment:\n      A: b\n' });
    expect(loadFail(dir, { files: ['pc.yaml'] })[0]?.path).toBe('processes.web.environment');
  });

  // ProcessCondition.UnmarshalYAML: an unknown condition is a parse error.
  it('refuses an unknown depends_on condition', () => {
    const dir = pcDir({ 'pc.yaml': 'processes:\n  a:\n    command: x\n  b:\n    command: y\n    depends_on:\n      a:\n        condition: process_ready\n' });
    expect(loadFail(dir, { files: ['pc.yaml'] })[0]?.path).toBe('processes.b.depends_on.a.condition');
  });

  // validateProject / ValidateProcessConfig: unknown non-x- keys are logged, fatal under is_strict.
  it('warns about unknown project and process keys, naming key and file; x- keys are allowed', () => {
    const dir = pcDir({ 'pc.yaml': 'bogus: 1\nx-mine: 2\nprocesses:\n  a:\n    command: x\n    comand: y\n    x-note: z\n' });
    const r = loadOk(dir, { files: ['pc.yaml'] });
    const paths = r.warnings.map((w) => w.path);
    expect(paths).toContain('bogus');
    expect(paths).toContain('processes.a.comand');
    expect(paths.some((p) => p.includes('x-'))).toBe(false);
    expect(r.warnings.every((w) => w.file === path.join(dir, 'pc.yaml'))).toBe(true);
  });

  it('makes unknown keys errors under is_strict', () => {
    const dir = pcDir({ 'pc.yaml': 'is_strict: true\nprocesses:\n  a:\n    command: x\n    comand: y\n' });
    expect(loadFail(dir, { files: ['pc.yaml'] }).map((i) => i.path)).toEqual(['processes.a.comand']);
  });

  // yaml.v3 without KnownFields drops unknown nested keys (e.g. http_get.url) silently; we warn.
  it('warns about an unknown key inside a probe (http_get.url)', () => {
    const dir = pcDir({ 'pc.yaml': 'processes:\n  a:\n    command: x\n    readiness_probe:\n      http_get:\n        url: http://x/\n' });
    expect(loadOk(dir, { files: ['pc.yaml'] }).warnings.map((w) => w.path)).toContain('processes.a.readiness_probe.http_get.url');
  });

  it('warns about a typo in a depends_on entry (conditon), which would leave the default condition', () => {
    const dir = pcDir({ 'pc.yaml': 'processes:\n  db:\n    command: x\n  a:\n    command: x\n    depends_on:\n      db:\n        conditon: process_healthy\n' });
    expect(loadOk(dir, { files: ['pc.yaml'] }).warnings).toEqual([
      expect.objectContaining({ path: 'processes.a.depends_on.db.conditon', message: expect.stringContaining("unknown key 'conditon' in 'depends_on.db'") }),
    ]);
  });

  it('warns about keys the engine does not honour (is_tty, disable_ansi_colors, schedule), errors under is_strict', () => {
    const body = 'processes:\n  a:\n    command: x\n    is_tty: true\n    schedule: { cron: "* * * * *" }\n    disable_ansi_colors: true\n';
    const dir = pcDir({ 'pc.yaml': body, 'strict.yaml': `is_strict: true\n${body}` });
    const paths = loadOk(dir, { files: ['pc.yaml'] }).warnings.map((w) => w.path);
    expect(paths).toEqual(expect.arrayContaining(['processes.a.is_tty', 'processes.a.schedule', 'processes.a.disable_ansi_colors']));
    expect(loadFail(dir, { files: ['strict.yaml'] })).toHaveLength(3);
  });

  it('refuses a process name that would escape the log folder', () => {
    const dir = pcDir({ 'pc.yaml': 'processes:\n  ../evil:\n    command: x\n' });
    expect(loadFail(dir, { files: ['pc.yaml'] })[0]?.path).toBe('processes.../evil');
  });

  it('takes log_configuration keys without a warning (the engine writes log_location with them)', () => {
    const dir = pcDir({ 'pc.yaml': 'processes:\n  a:\n    command: x\n    log_configuration: { flush_each_line: true, add_timestamp: true }\n' });
    const r = loadOk(dir, { files: ['pc.yaml'] });
    expect(r.warnings).toEqual([]);
    expect(r.doc.processes.a?.log_configuration).toEqual({ flush_each_line: true, add_timestamp: true });
  });

  it('gives a document the ComposeDoc schema accepts', () => {
    const dir = pcDir({
      'pc.yaml': [
        'processes:',
        '  a:',
        '    command: sleep 1',
        '    readiness_probe: { exec: { command: "true" } }',
        '    availability: { restart: on_failure, backoff_seconds: 2, max_restarts: 3 }',
        '    shutdown: { signal: 2, timeout_seconds: 5 }',
        '  b:',
        '    entrypoint: [echo, hi]',
        '    depends_on: { a: { condition: process_healthy } }',
      ].join('\n'),
    });
    const r = loadOk(dir, { files: ['pc.yaml'] });
    expect(ComposeDocSchema.safeParse(r.doc).success).toBe(true);
    expect(r.warnings).toEqual([]);
  });

  it('returns issues, never throws, for a file that is not a mapping', () => {
    const dir = pcDir({ 'pc.yaml': '- a\n- b\n' });
    const r = load(dir, { files: ['pc.yaml'] });
    expect(r.ok).toBe(false);
  });

  it('reports YAML that parses but has no value (an alias before its anchor, a merge key of a scalar), naming the file', () => {
    for (const text of ['processes:\n  a:\n    command: *nowhere\n', 'processes:\n  <<: ""\n']) {
      const dir = pcDir({ 'pc.yaml': text });
      expect(loadFail(dir, { files: ['pc.yaml'] })).toEqual([expect.objectContaining({ file: expect.stringContaining('pc.yaml'), message: expect.stringMatching(/^YAML: /) })]);
    }
  });
});

describe('pc-project: any input', () => {
  // Bad input gives issues, never an exception (exit 2 with a message, no stack trace).
  it('never throws, whatever a file holds', () => {
    const dir = pcDir({});
    fc.assert(
      fc.property(fc.dictionary(fc.constantFrom('processes', 'environment', 'vars', 'shell', 'extends', 'is_strict', 'bogus'), fc.anything()), (top) => {
        fs.writeFileSync(path.join(dir, 'pc.yaml'), stringify(top));
        const r = load(dir, { files: ['pc.yaml'] });
        expect(typeof r.ok).toBe('boolean');
      }),
      { numRuns: 200 },
    );
  });

  it('never throws on random processes', () => {
    const dir = pcDir({});
    const value = fc.oneof(fc.string(), fc.integer(), fc.boolean(), fc.array(fc.string(), { maxLength: 3 }), fc.dictionary(fc.string(), fc.string(), { maxKeys: 3 }));
    const key = fc.constantFrom(
      'command',
      'entrypoint',
      'depends_on',
      'replicas',
      'readiness_probe',
      'availability',
      'shutdown',
      'namespace',
      'environment',
      'working_dir',
      'extends',
      'vars',
    );
    fc.assert(
      fc.property(fc.dictionary(fc.constantFrom('a', 'b', 'c'), fc.dictionary(key, value, { maxKeys: 4 })), (processes) => {
        fs.writeFileSync(path.join(dir, 'pc.yaml'), stringify({ processes }));
        const r = load(dir, { files: ['pc.yaml'] });
        if (r.ok) expect(ComposeDocSchema.safeParse(r.doc).success).toBe(true);
      }),
      { numRuns: 300 },
    );
  });
});
