/**
 * process-compose conformance: every `cases/<name>/process-compose.yaml` runs
 * through `core up -f process-compose.yaml` in the foreground (as process-compose
 * runs headless) and what it leaves is compared with `expected.json`, which is
 * written by process-compose's semantics (never by copying what core prints).
 *
 * How a process's final state is read: from the stack's event log,
 * `.core-stack/events.ndjson`, which the foreground run leaves behind. The last
 * `exited` event gives the exit code, the last event's `restarts` the restart
 * count; the status is named as process-compose names it: `Completed` for a
 * process that ended (whatever its code: process-compose has no "failed" state
 * for an exit), `Skipped`, and `Disabled` for a process with no event at all
 * (never started). Output lines come from `.core-stack/logs/<process>.log`.
 *
 * expected.json:
 *   args        extra arguments after `-f process-compose.yaml` (`-n`, `--no-deps`, PROCESS …)
 *   env         extra environment for the run
 *   dotenv      the content of a `.env` written beside the file before the run
 *               (a `.env` cannot be committed: the repository ignores them)
 *   exit_code   the project's exit code
 *   processes   { name: { status?, exit_code?, restarts?, lines? } } (only what is listed is checked)
 *   files       { relative path: exact content } the processes leave in the case's folder
 *   order       [{ file, before, after }]: in that file, the line `before` comes before `after`
 *               (only pairs a dependency orders)
 *
 * With a real process-compose (tests/helpers/process-compose.ts), the same case
 * also runs through `process-compose up -f process-compose.yaml -t=false --no-server` (no
 * API server on its default port 8080, which another test may hold) and
 * its exit code, files and order are compared with the same expectation (its
 * per-process states are not read: headless it reports them nowhere this
 * harness can read without its API server). Skipped otherwise.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { stackProcesses } from '../../src/support/proc-scan.js';
import { CORE } from '../helpers/cli.js';
import { PROCESS_COMPOSE } from '../helpers/process-compose.js';

const CASES = path.join(path.dirname(fileURLToPath(import.meta.url)), 'cases');
const RUN_TIMEOUT_MS = 20_000;

interface ProcessExpectation {
  readonly status?: 'Completed' | 'Skipped' | 'Disabled';
  readonly exit_code?: number;
  readonly restarts?: number;
  readonly lines?: readonly string[];
}
interface Expectation {
  readonly args?: readonly string[];
  readonly env?: Readonly<Record<string, string>>;
  readonly dotenv?: string;
  readonly exit_code: number;
  readonly processes?: Readonly<Record<string, ProcessExpectation>>;
  readonly files?: Readonly<Record<string, string>>;
  readonly order?: readonly { file: string; before: string; after: string }[];
}
interface Event {
  readonly type: string;
  readonly process: string;
  readonly exit_code: number | null;
  readonly restarts: number;
}

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
});

function copyCase(name: string, expected: Expectation): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `core-conf-${name}-`));
  dirs.push(dir);
  fs.cpSync(path.join(CASES, name), dir, { recursive: true });
  fs.rmSync(path.join(dir, 'expected.json'));
  if (expected.dotenv !== undefined) fs.writeFileSync(path.join(dir, '.env'), expected.dotenv);
  return dir;
}

function run(
  command: string,
  args: readonly string[],
  cwd: string,
  env: Readonly<Record<string, string>>,
): Promise<{ code: number; timedOut: boolean; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      command,
      args,
      { cwd, env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', CORE_ROOT: cwd, ...env }, timeout: RUN_TIMEOUT_MS, killSignal: 'SIGTERM' },
      // A run killed at the bound is a failure of its own: its exit code (0 on SIGTERM) must not pass for the project's.
      (error, stdout, stderr) => resolve({ code: error ? (typeof error.code === 'number' ? error.code : -1) : 0, timedOut: error?.killed === true, stdout, stderr }),
    );
  });
}

/** Each process's final state, from the event log the foreground run leaves. */
function finalStates(dir: string): Map<string, { status: string; exit_code: number | null; restarts: number }> {
  const file = path.join(dir, '.core-stack', 'events.ndjson');
  const events: Event[] = fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line));
  const states = new Map<string, { status: string; exit_code: number | null; restarts: number }>();
  for (const e of events) {
    const state = states.get(e.process) ?? { status: 'Pending', exit_code: null, restarts: 0 };
    state.restarts = Math.max(state.restarts, e.restarts);
    if (e.type === 'exited') {
      state.exit_code = e.exit_code;
      state.status = 'Completed';
    }
    if (e.type === 'skipped') state.status = 'Skipped';
    states.set(e.process, state);
  }
  return states;
}

function logLines(dir: string, name: string): string[] {
  const file = path.join(dir, '.core-stack', 'logs', `${name}.log`);
  return fs.existsSync(file) ? fs.readFileSync(file, 'utf8').split('\n').filter(Boolean) : [];
}

function checkFilesAndOrder(dir: string, expected: Expectation): void {
  for (const [file, content] of Object.entries(expected.files ?? {})) {
    const at = path.join(dir, file);
    expect(fs.existsSync(at), `${file} was created`).toBe(true);
    expect(fs.readFileSync(at, 'utf8'), file).toBe(content);
  }
  for (const { file, before, after } of expected.order ?? []) {
    const lines = fs.readFileSync(path.join(dir, file), 'utf8').split('\n');
    expect(lines, `${before} in ${file}`).toContain(before);
    expect(lines, `${after} in ${file}`).toContain(after);
    expect(lines.indexOf(before), `${before} before ${after} in ${file}`).toBeLessThan(lines.indexOf(after));
  }
}

const names = fs
  .readdirSync(CASES)
  .filter((name) => fs.existsSync(path.join(CASES, name, 'expected.json')))
  .sort();

describe.each(names)('%s', (name) => {
  const expected: Expectation = JSON.parse(fs.readFileSync(path.join(CASES, name, 'expected.json'), 'utf8'));

  it('core up -f (foreground) ends as process-compose would', { timeout: RUN_TIMEOUT_MS + 10_000 }, async () => {
    const dir = copyCase(name, expected);
    const result = await run(process.execPath, [CORE, 'up', '-f', 'process-compose.yaml', ...(expected.args ?? [])], dir, expected.env ?? {});
    expect(result.timedOut, `ended within ${RUN_TIMEOUT_MS} ms`).toBe(false);
    expect(result.code, `${result.stdout}\n${result.stderr}`).toBe(expected.exit_code);
    expect(stackProcesses(path.join(dir, '.core-stack')), 'nothing of the stack left running').toEqual([]);
    const states = finalStates(dir);
    for (const [process, want] of Object.entries(expected.processes ?? {})) {
      const got = states.get(process) ?? { status: 'Disabled', exit_code: null, restarts: 0 };
      if (want.status !== undefined) expect(got.status, `${process}'s status`).toBe(want.status);
      if (want.exit_code !== undefined) expect(got.exit_code, `${process}'s exit code`).toBe(want.exit_code);
      if (want.restarts !== undefined) expect(got.restarts, `${process}'s restarts`).toBe(want.restarts);
      if (want.lines !== undefined) expect(logLines(dir, process), `${process}'s output`).toEqual(want.lines);
    }
    checkFilesAndOrder(dir, expected);
  });

  it.skipIf(!PROCESS_COMPOSE)('the real process-compose (headless) ends the same (exit code, files, order)', { timeout: RUN_TIMEOUT_MS + 10_000 }, async () => {
    const dir = copyCase(name, expected);
    const result = await run(PROCESS_COMPOSE!, ['up', '-f', 'process-compose.yaml', '-t=false', '--no-server', ...(expected.args ?? [])], dir, expected.env ?? {});
    expect(result.timedOut, `ended within ${RUN_TIMEOUT_MS} ms`).toBe(false);
    expect(result.code, `${result.stdout}\n${result.stderr}`).toBe(expected.exit_code);
    checkFilesAndOrder(dir, expected);
  });
});
