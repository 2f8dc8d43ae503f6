/**
 * A config reload in place (`x-core.reload`), verified: the process keeps its
 * pid. nats-server re-reads routes and leaf remotes on SIGHUP, but a reload it
 * refuses (a changed `server_name`, a bad file) is silent: it logs an error,
 * keeps its old config, and the signal "succeeds". So, with `verify`:
 *
 *   1. run `test_argv` (`nats-server -t -c FILE`, argv, no shell, the process's
 *      own environment: the file reads `$VAR` secrets) → the new file's digest,
 *      or the reason it is invalid (then nothing is signalled);
 *   2. ask `varz_url` once it answers (a process that has just started has then
 *      set up its signal handlers): already that digest → nothing to do (it
 *      started after the file was written);
 *   3. send `signal` to this very process (the runner's own child, never a pid
 *      that may have been reused);
 *   4. poll `varz_url` every POLL_MS until its `config_digest` is the digest of
 *      step 1, within TIMEOUT_MS; else report both digests and why.
 *
 * Used by the built-in engine's apply (apply.ts) and by the process-compose
 * adapter (engines/process-compose/reload.ts), each with its own `ReloadHost`.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import type { ComposeProcess } from '../compose/schema.js';
import type { Clock } from './interfaces.js';

export type ReloadSpec = NonNullable<NonNullable<ComposeProcess['x-core']>['reload']>;

export const POLL_MS = 20;
/** From the signal until `config_digest` must show the new file (a reload takes a few ms). */
export const TIMEOUT_MS = 5000;
/** How long `test_argv` may run (nats-server -t: ~10 ms). */
const TEST_TIMEOUT_MS = 10_000;
const MAX_OUTPUT = 64 * 1024;

export interface TestRun {
  /** null: killed, or never started (then `output` says why). */
  readonly code: number | null;
  /** stdout and stderr together. */
  readonly output: string;
}

export type DigestAnswer = { readonly ok: true; readonly digest: string } | { readonly ok: false; readonly error: string };

/** The effects of a reload check, behind an interface so supervisor tests can fake them. */
export interface ReloadTools {
  test(argv: readonly string[], env: Readonly<Record<string, string>>, cwd: string): Promise<TestRun>;
  /** GET `url` → its JSON `config_digest`. Never rejects. */
  digest(url: string): Promise<DigestAnswer>;
}

/** What a reload needs of the engine that runs the process. */
export interface ReloadHost {
  readonly clock: Clock;
  readonly tools: ReloadTools;
  /** The environment and folder the process runs with. */
  readonly env: Readonly<Record<string, string>>;
  readonly cwd: string;
  /** Signal this very process; its pid, or undefined when it does not run now (a restart then reads the new file). */
  signal(signal: number): number | undefined;
  /** Start collecting the process's output lines (`lines`: those so far); `stop` ends it. */
  captureOutput?(): { readonly lines: () => readonly string[]; readonly stop: () => void };
}

export interface Reloaded {
  readonly name: string;
  /** From the start of the check until the new config was seen (or the signal sent, without `verify`). */
  readonly afterMs: number;
  /** false: nothing was sent (it already ran the new config, or it was not running). */
  readonly signalled: boolean;
  /** The verified digest (`sha256:<hex>`); null without `verify`. */
  readonly digest: string | null;
}

export type ReloadOutcome = ({ readonly ok: true } & Reloaded) | { readonly ok: false; readonly name: string; readonly message: string; readonly lastLines: readonly string[] };

/** The digest `nats-server -t` prints: "nats-server: configuration file X is valid (sha256:<hex>)". */
export function testedDigest(output: string): string | undefined {
  return /is valid \((sha256:[0-9a-f]{64})\)/.exec(output)?.[1];
}

/** The last non-empty line of some output (what nats-server -t says is wrong). */
const lastLine = (output: string) =>
  output
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
    .at(-1) ?? '(no output)';

/** The line in which the process says why a reload failed, if it did. */
const refusal = (lines: readonly string[]) => [...lines].reverse().find((l) => /reload/i.test(l) && /(fail|error|not supported|invalid)/i.test(l));

const shown = (argv: readonly string[]) => [path.basename(argv[0] ?? ''), ...argv.slice(1)].join(' ');

export async function reloadProcess(name: string, spec: ReloadSpec, host: ReloadHost, timeoutMs = TIMEOUT_MS, pollMs = POLL_MS): Promise<ReloadOutcome> {
  const { clock, tools } = host;
  const since = clock.now();
  const fail = (message: string, lastLines: readonly string[] = []): ReloadOutcome => ({ ok: false, name, message, lastLines });
  const sleep = (ms: number) => new Promise<void>((resolve) => clock.setTimeout(resolve, ms));
  const { verify } = spec;
  if (!verify) {
    const pid = host.signal(spec.signal);
    return { ok: true, name, afterMs: clock.now() - since, signalled: pid !== undefined, digest: null };
  }

  const run = await tools.test(verify.test_argv, host.env, host.cwd);
  if (run.code !== 0) {
    const how = run.code === null ? 'did not finish' : `exit code ${run.code}`;
    return fail(`${name}: its new configuration fails \`${shown(verify.test_argv)}\` (${how}): ${lastLine(run.output)}; not reloaded, it runs on its old configuration`);
  }
  const expected = testedDigest(run.output);
  if (!expected) return fail(`${name}: \`${shown(verify.test_argv)}\` printed no digest ("… is valid (sha256:<hex>)"): ${lastLine(run.output)}; not reloaded`);

  /** Ask until `done(answer)` or the deadline; the last answer. */
  const poll = async (deadline: number, done: (a: DigestAnswer) => boolean): Promise<DigestAnswer> => {
    for (;;) {
      const answer = await tools.digest(verify.varz_url);
      if (done(answer) || clock.now() >= deadline) return answer;
      await sleep(pollMs);
    }
  };
  const before = await poll(clock.now() + timeoutMs, (a) => a.ok);
  if (!before.ok) return fail(`${name}: ${verify.varz_url} did not answer within ${timeoutMs} ms (${before.error}); not signalled`);
  if (before.digest === expected) return { ok: true, name, afterMs: clock.now() - since, signalled: false, digest: expected };

  const capture = host.captureOutput?.();
  const pid = host.signal(spec.signal);
  if (pid === undefined) {
    capture?.stop();
    // Gone since: its restart reads the new file. Nothing runs the old config.
    return { ok: true, name, afterMs: clock.now() - since, signalled: false, digest: null };
  }
  // Done when the digest is the new one, or early when the process says it refused the reload.
  const after = await poll(clock.now() + timeoutMs, (a) => (a.ok && a.digest === expected) || refusal(capture?.lines() ?? []) !== undefined);
  const lines = capture?.lines() ?? [];
  capture?.stop();
  if (after.ok && after.digest === expected) return { ok: true, name, afterMs: clock.now() - since, signalled: true, digest: expected };
  const why = refusal(lines);
  const seen = after.ok ? `its config_digest is still ${after.digest}` : `${verify.varz_url} did not answer (${after.error})`;
  const when = why ? `refused after ${clock.now() - since} ms` : `not verified within ${timeoutMs} ms`;
  return fail(
    `${name} (pid ${pid}): reload ${when}: ${seen}, the new file's is ${expected}. ` +
      `nats-server keeps its old configuration when a reload fails${why ? `: ${why}` : ''} (see \`core logs ${name}\`)`,
    lines.slice(-20),
  );
}

/** The real checks: a child process without a shell, and an HTTP GET. */
export const realReloadTools: ReloadTools = {
  test: (argv, env, cwd) =>
    new Promise((resolve) => {
      const [command = '', ...args] = argv;
      let output = '';
      const child = spawn(command, args, { cwd, env: { ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
      const take = (chunk: Buffer) => {
        if (output.length < MAX_OUTPUT) output += chunk.toString('utf8');
      };
      child.stdout.on('data', take);
      child.stderr.on('data', take);
      const timer = setTimeout(() => child.kill('SIGKILL'), TEST_TIMEOUT_MS);
      child.once('error', (error) => {
        clearTimeout(timer);
        resolve({ code: null, output: `cannot run ${command}: ${error.message}` });
      });
      child.once('close', (code) => {
        clearTimeout(timer);
        resolve({ code, output });
      });
    }),
  digest: async (url) => {
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(1000) });
      if (!response.ok) return { ok: false, error: `HTTP ${response.status}` };
      const body = (await response.json()) as { config_digest?: unknown };
      return typeof body.config_digest === 'string' ? { ok: true, digest: body.config_digest } : { ok: false, error: 'no config_digest in its answer' };
    } catch (error) {
      const cause = (error as { cause?: { code?: string } }).cause?.code;
      return { ok: false, error: cause ?? (error as Error).message };
    }
  },
};
