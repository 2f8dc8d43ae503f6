/**
 * The process-compose loader on shutdown keys: `shutdown.command` with the
 * project's shell, `is_daemon` (warned without a shutdown command), and
 * `ordered_shutdown` (the file's key, or PC_ORDERED_SHUTDOWN as the default of
 * process-compose's `--ordered-shutdown`).
 */
import { describe, expect, it } from 'vitest';
import { loadOk, pcDir } from '../helpers/pc-project.js';

describe('pc-project: shutdown keys', () => {
  it("keeps shutdown.command (timeout_seconds default 10) and the project's shell it runs through", () => {
    const dir = pcDir({ 'pc.yaml': 'shell:\n  shell_command: sh\n  shell_argument: -ec\nprocesses:\n  a:\n    command: x\n    shutdown:\n      command: stop-a\n' });
    const r = loadOk(dir, { files: ['pc.yaml'] });
    expect(r.doc.processes.a?.shutdown).toEqual({ signal: 15, timeout_seconds: 10, command: 'stop-a' });
    expect(r.doc.shell).toEqual({ shell_command: 'sh', shell_argument: '-ec' });
    expect(r.warnings).toEqual([]);
  });

  it('writes no shell when no process has a shutdown command', () => {
    const dir = pcDir({ 'pc.yaml': 'processes:\n  a:\n    command: x\n' });
    expect(loadOk(dir, { files: ['pc.yaml'] }).doc.shell).toBeUndefined();
  });

  it('keeps is_daemon; without shutdown.command it is warned, naming the file and key', () => {
    const dir = pcDir({ 'pc.yaml': 'processes:\n  d:\n    command: x\n    is_daemon: true\n  e:\n    command: y\n    is_daemon: true\n    shutdown: { command: stop-e }\n' });
    const r = loadOk(dir, { files: ['pc.yaml'] });
    expect(r.doc.processes.d?.is_daemon).toBe(true);
    expect(r.warnings.map((w) => [w.path, w.file.endsWith('pc.yaml')])).toEqual([['processes.d.is_daemon', true]]);
  });

  it('orders the shutdown by the file, or by PC_ORDERED_SHUTDOWN whatever its value', () => {
    const dir = pcDir({ 'pc.yaml': 'processes:\n  a:\n    command: x\n' });
    expect(loadOk(dir, { files: ['pc.yaml'] }).doc.ordered_shutdown).toBeUndefined();
    expect(loadOk(dir, { files: ['pc.yaml'], env: { PC_ORDERED_SHUTDOWN: '' } }).doc.ordered_shutdown).toBe(true);
  });
});
