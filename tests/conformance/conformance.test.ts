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
 * Every run gets `CONF_PORT`, a TCP port free when the file starts (claimed
 * through tests/helpers/e2e.ts freeOffset, so other test files and stacks on
 * the machine keep off it; one port per case): a case that serves HTTP writes
 * `$CONF_PORT` in its YAML, which process-compose expands at load (also in
 * `http_get.port`).
 *
 * expected.json:
 *   args        extra arguments after `-f process-compose.yaml` (`-n`, `--no-deps`, PROCESS …)
 *   cwd         the folder of the case to run from (made if missing; default the
 *               case's own), the file then named relative to it (`-f ../process-compose.yaml`):
 *               process-compose resolves relative paths (`working_dir`, `-e`, `.env`)
 *               against the folder it runs in, not the file's
 *   env         extra environment for the run
 *   dotenv      the content of a `.env` written in the folder the run starts from
 *               (a `.env` cannot be committed: the repository ignores them)
 *   exit_code   the project's exit code; 2 is bad input, and then the run must
 *               also have started nothing: no process event in the event log (or
 *               no log at all) and no file in the case's folder but its own
 *   pc_exit_code  the real process-compose's exit code where it differs from
 *               core's by design. Only for bad input: process-compose reports a
 *               load error with zerolog's log.Fatal (src/cmd/project_runner.go,
 *               src/loader/loader.go), which exits 1; core exits 2. An exact code
 *               rather than "non-zero", so a process-compose that started the
 *               project and failed later (also non-zero) does not pass.
 *   stderr_includes  strings core's output (stdout and stderr) must include, e.g.
 *               the file and the key a bad-input error or a warning names. Core
 *               only: headless process-compose logs to its log file, not the terminal.
 *   processes   { name: { status?, exit_code?, restarts?, lines? } } (only what is listed is checked)
 *   files       { relative path: exact content } the processes leave in the case's folder
 *   order       [{ file, before, after }]: in that file, the line `before` comes before `after`
 *               (only pairs a dependency orders)
 *   known_difference  why core does not (yet) do what process-compose does: the
 *               expectation stays process-compose's, and core's half is run as
 *               `it.fails` with the reason in its name, so it is reported, and
 *               turns red the day core conforms (then drop the marker).
 *
 * With a real process-compose (tests/helpers/process-compose.ts), the same case
 * also runs through `process-compose up -f process-compose.yaml -t=false --no-server` (no
 * API server on its default port 8080, which another test may hold) and
 * its exit code (pc_exit_code if given), files and order are compared with the same
 * expectation, and for bad input that it created no file (its per-process states
 * are not read: headless it reports them nowhere this harness can read without
 * its API server). Skipped otherwise.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ExitCode } from '../../src/support/errors.js';
import { stackProcesses } from '../../src/support/proc-scan.js';
import { CORE } from '../helpers/cli.js';
import { freeOffset } from '../helpers/e2e.js';
import { PROCESS_COMPOSE } from '../helpers/process-compose.js';

const CASES = path.join(path.dirname(fileURLToPath(import.meta.url)), 'cases');
const RUN_TIMEOUT_MS = 20_000;
/** Ports offset + FIRST_PORT + i, one per case: clear of the offset's stack ports (see e2e.ts OFFSET_STEP). */
const FIRST_PORT = 100;

interface ProcessExpectation {
  readonly status?: 'Completed' | 'Skipped' | 'Disabled';
  readonly exit_code?: number;
  readonly restarts?: number;
  readonly lines?: readonly string[];
}
interface Expectation {
  readonly args?: readonly string[];
  readonly cwd?: string;
  readonly env?: Readonly<Record<string, string>>;
  readonly dotenv?: string;
  readonly exit_code: number;
  readonly pc_exit_code?: number;
  readonly stderr_includes?: readonly string[];
  readonly processes?: Readonly<Record<string, ProcessExpectation>>;
  readonly files?: Readonly<Record<string, string>>;
  readonly order?: readonly { file: string; before: string; after: string }[];
  readonly known_difference?: string;
}
interface Event {
  readonly type: string;
  readonly process: string | null;
  readonly exit_code: number | null;
  readonly restarts: number;
}

const names = fs
  .readdirSync(CASES)
  .filter((name) => fs.existsSync(path.join(CASES, name, 'expected.json')))
  .sort();

const dirs: string[] = [];
let portOffset = 0;
beforeAll(async () => {
  portOffset = await freeOffset(names.map((_, i) => FIRST_PORT + i));
});
afterAll(() => {
  for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
});

/** The case copied to a temporary folder; `dir` holds the file, the run starts in `runDir` with `file` as its first `-f`. */
function copyCase(name: string, expected: Expectation): { dir: string; runDir: string; file: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `core-conf-${name}-`));
  dirs.push(dir);
  fs.cpSync(path.join(CASES, name), dir, { recursive: true });
  fs.rmSync(path.join(dir, 'expected.json'));
  const runDir = path.join(dir, expected.cwd ?? '');
  fs.mkdirSync(runDir, { recursive: true });
  if (expected.dotenv !== undefined) fs.writeFileSync(path.join(runDir, '.env'), expected.dotenv);
  return { dir, runDir, file: path.relative(runDir, path.join(dir, 'process-compose.yaml')) };
}

/** Every file and folder under `dir` (relative), but the stack's own folder. */
function listing(dir: string): string[] {
  return fs
    .readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((entry) => entry !== '.core-stack' && !entry.startsWith(`.core-stack${path.sep}`))
    .sort();
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

function events(dir: string): Event[] {
  const file = path.join(dir, '.core-stack', 'events.ndjson');
  if (!fs.existsSync(file)) return [];
  return fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line));
}

/** Each process's final state, from the event log the foreground run leaves. */
function finalStates(dir: string): Map<string, { status: string; exit_code: number | null; restarts: number }> {
  const states = new Map<string, { status: string; exit_code: number | null; restarts: number }>();
  for (const e of events(dir)) {
    if (!e.process) continue;
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

describe.each(names.map((name, index) => ({ name, index })))('$name', ({ name, index }) => {
  const expected: Expectation = JSON.parse(fs.readFileSync(path.join(CASES, name, 'expected.json'), 'utf8'));
  const badInput = expected.exit_code === ExitCode.badInput;
  const envOf = () => ({ CONF_PORT: String(portOffset + FIRST_PORT + index), ...expected.env });
  const coreTitle = 'core up -f (foreground) ends as process-compose would';
  // A known difference is run all the same, and must fail: reported, and noticed the day it no longer does.
  const coreTest = expected.known_difference ? it.fails : it;

  coreTest(expected.known_difference ? `${coreTitle} (known difference: ${expected.known_difference})` : coreTitle, { timeout: RUN_TIMEOUT_MS + 10_000 }, async () => {
    const { dir, runDir, file } = copyCase(name, expected);
    const before = listing(dir);
    const result = await run(process.execPath, [CORE, 'up', '-f', file, ...(expected.args ?? [])], runDir, envOf());
    const output = `${result.stdout}\n${result.stderr}`;
    expect(result.timedOut, `ended within ${RUN_TIMEOUT_MS} ms`).toBe(false);
    expect(result.code, output).toBe(expected.exit_code);
    for (const text of expected.stderr_includes ?? []) expect(output, `the output names ${text}`).toContain(text);
    expect(stackProcesses(path.join(dir, '.core-stack')), 'nothing of the stack left running').toEqual([]);
    if (badInput) {
      expect(
        events(dir).filter((e) => e.process),
        'bad input: no process event',
      ).toEqual([]);
      expect(listing(dir), 'bad input: no file created').toEqual(before);
    }
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
    const { dir, runDir, file } = copyCase(name, expected);
    const before = listing(dir);
    const result = await run(PROCESS_COMPOSE!, ['up', '-f', file, '-t=false', '--no-server', ...(expected.args ?? [])], runDir, envOf());
    expect(result.timedOut, `ended within ${RUN_TIMEOUT_MS} ms`).toBe(false);
    expect(result.code, `${result.stdout}\n${result.stderr}`).toBe(expected.pc_exit_code ?? expected.exit_code);
    if (badInput) expect(listing(dir), 'bad input: no file created').toEqual(before);
    checkFilesAndOrder(dir, expected);
  });
});
