/**
 * The process-compose loader's log keys: project and process `log_location`,
 * `log_configuration`, `log_level`, and the replica number log lines carry,
 * mapped into the ComposeDoc the built-in engine writes the files from.
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ComposeDocSchema } from '../../src/compose/schema.js';
import { loadOk, pcDir } from '../helpers/pc-project.js';

describe('pc-project: log files', () => {
  it('maps the project log_location (from the working folder) and its log_configuration', () => {
    const dir = pcDir({
      'pc.yaml': [
        'log_location: out/project.log',
        'log_configuration:',
        '  no_metadata: true',
        '  disable_json: true',
        '  no_color: false',
        '  fields_order: [level, message]',
        '  rotation: { max_size_mb: 5, max_backups: 0, compress: true }',
        'processes:',
        '  a:',
        '    command: x',
      ].join('\n'),
    });
    const r = loadOk(dir, { files: ['pc.yaml'] });
    expect(r.doc.log_location).toBe(path.join(dir, 'out/project.log'));
    // Go's zero values are "not set": left out.
    expect(r.doc.log_configuration).toEqual({ no_metadata: true, disable_json: true, fields_order: ['level', 'message'], rotation: { max_size_mb: 5, compress: true } });
    expect(r.warnings).toEqual([]);
    expect(() => ComposeDocSchema.parse(r.doc)).not.toThrow();
  });

  it('maps a process log_configuration; warns that rotation.directory and filename are not read; an empty rotation still rotates', () => {
    const dir = pcDir({
      'pc.yaml': [
        'processes:',
        '  a:',
        '    command: x',
        '    log_location: a.log',
        '    log_configuration:',
        '      add_timestamp: true',
        "      timestamp_format: '2006-01-02'",
        '      flush_each_line: true',
        '      rotation: { directory: /elsewhere, filename: b.log }',
        '      colour: true',
      ].join('\n'),
    });
    const r = loadOk(dir, { files: ['pc.yaml'] });
    expect(r.doc.processes.a?.log_configuration).toEqual({ add_timestamp: true, timestamp_format: '2006-01-02', flush_each_line: true, rotation: {} });
    expect(r.warnings.map((w) => w.path).sort()).toEqual([
      'processes.a.log_configuration.colour',
      'processes.a.log_configuration.rotation.directory',
      'processes.a.log_configuration.rotation.filename',
    ]);
  });

  it('keeps the log keys out of the unsupported-key warnings, even under is_strict', () => {
    const dir = pcDir({
      'pc.yaml':
        'is_strict: true\nlog_location: p.log\nlog_configuration: { add_timestamp: true }\nprocesses:\n  a:\n    command: x\n    log_location: a.log\n    log_configuration: { no_metadata: true, disable_json: true }\n',
    });
    expect(loadOk(dir, { files: ['pc.yaml'] }).warnings).toEqual([]);
  });

  it('gives each replica its log file ({PC_REPLICA_NUM}, else .N) and its replica number', () => {
    const dir = pcDir({
      'pc.yaml': 'processes:\n  w:\n    command: x\n    replicas: 2\n    log_location: w-{PC_REPLICA_NUM}.log\n  v:\n    command: x\n    replicas: 2\n    log_location: v.log\n',
    });
    const p = loadOk(dir, { files: ['pc.yaml'] }).doc.processes;
    expect([p['w-0']?.log_location, p['w-1']?.log_location, p['v-0']?.log_location, p['v-1']?.log_location]).toEqual(
      ['w-0.log', 'w-1.log', 'v.log.0', 'v.log.1'].map((f) => path.join(dir, f)),
    );
    expect([p['w-0']?.['x-core']?.replica, p['w-1']?.['x-core']?.replica]).toEqual([undefined, 1]);
  });

  it.each([
    ['WARN', 'warn'],
    ['fatal', 'fatal'],
    ['2', 'warn'],
    ['-5', 'trace'],
    ['6', 'disabled'],
    ['nonsense', undefined],
  ])('reads log_level %s as zerolog does (%s)', (level, want) => {
    const dir = pcDir({ 'pc.yaml': `log_level: "${level}"\nprocesses:\n  a:\n    command: x\n` });
    const r = loadOk(dir, { files: ['pc.yaml'] });
    expect(r.doc.log_level).toBe(want);
    // Only a level zerolog cannot parse is worth a warning (an error under is_strict).
    expect(r.warnings.map((w) => w.path)).toEqual(want === undefined ? ['log_level'] : []);
  });
});
