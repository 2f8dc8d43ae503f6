/**
 * One readiness or liveness check: an HTTP GET, a TCP connect, or a shell command.
 * Every check has a timeout, honours an AbortSignal, and resolves to a value.
 */
import { spawn } from 'node:child_process';
import { lazyCrypto } from '../support/builtins.js';
import net from 'node:net';
import type { ProbeResult, ProbeSpec, Prober } from './interfaces.js';
import { sendCheck } from './http-check.js';
import { signalProcess } from './real-spawner.js';
import { signalIfSame } from '../support/proc.js';
import { findMarked } from '../support/proc-scan.js';

const OK: ProbeResult = { ok: true };
const fail = (error: string): ProbeResult => ({ ok: false, error });
/** Output of a failing exec probe kept for its error message. */
const EXEC_OUTPUT_CHARS = 300;

type Finish = (result: ProbeResult) => void;
const timedOut = (ms: number) => () => fail(`timed out after ${ms} ms`);

/** Runs `body` with a `finish` that settles once and tears the check down; `onTimeout` says what a timeout means. */
function settleOnce(signal: AbortSignal, timeoutMs: number, onTimeout: () => ProbeResult, body: (finish: Finish) => () => void): Promise<ProbeResult> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve(fail('aborted'));
    let done = false;
    let cleanup = () => {};
    const finish: Finish = (result) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
      cleanup();
      resolve(result);
    };
    const onAbort = () => finish(fail('aborted'));
    const timer = setTimeout(() => finish(onTimeout()), timeoutMs);
    signal.addEventListener('abort', onAbort);
    cleanup = body(finish);
  });
}

function httpGet(spec: ProbeSpec & { kind: 'http' }, signal: AbortSignal): Promise<ProbeResult> {
  const url = `${spec.scheme}://${spec.host}${spec.port === undefined ? '' : `:${spec.port}`}${spec.path}`;
  // Over a connection kept from the last check when there is one: http-check.ts says what that proves.
  return settleOnce(signal, spec.timeoutMs, timedOut(spec.timeoutMs), (finish) =>
    sendCheck(spec, (result) => {
      if ('error' in result) return finish(fail(`GET ${url}: ${result.error.message}`));
      finish(result.status === spec.statusCode ? OK : fail(`GET ${url}: status ${result.status}, expected ${spec.statusCode}`));
    }),
  );
}

function tcpConnect(spec: ProbeSpec & { kind: 'tcp' }, signal: AbortSignal): Promise<ProbeResult> {
  return settleOnce(signal, spec.timeoutMs, timedOut(spec.timeoutMs), (finish) => {
    const socket = net.connect({ host: spec.host, port: spec.port });
    socket.on('connect', () => finish(OK));
    socket.on('error', (error) => finish(fail(`connect ${spec.host}:${spec.port}: ${error.message}`)));
    return () => socket.destroy();
  });
}

/** The environment variable that marks every process an exec probe run starts. */
export const PROBE_MARK = 'CORE_PROBE_ID';
/** After the shell exits, how long its pipes may stay open before we stop reading its output. */
const EXEC_CLOSE_GRACE_MS = 100;

/**
 * SIGKILL every process still carrying this run's mark: what double-forked or
 * setsid'd out of the probe's group. The identity is checked again just before
 * the signal, so a pid reused since the scan is never hit. Returns how many it found.
 * (A scan reads /proc/<pid>/environ of every process: ~25 µs each, 3 ms for 114.)
 */
function reapMarked(id: string): number {
  const found = findMarked(PROBE_MARK, id);
  for (const identity of found) signalIfSame(identity, 'SIGKILL');
  return found.length;
}

function execShell(spec: ProbeSpec & { kind: 'exec' }, signal: AbortSignal): Promise<ProbeResult> {
  const id = lazyCrypto().randomUUID(); // node:crypto on first use: it costs the supervisor's start-up ~6 ms
  let output = '';
  let exit: { code: number | null; sig: NodeJS.Signals | null } | undefined;
  let escaped = 0;
  const verdict = (): ProbeResult => {
    if (!exit) return fail(`timed out after ${spec.timeoutMs} ms`);
    const detail = output.trim() ? `: ${output.trim()}` : '';
    return exit.code === 0 ? OK : fail(`${spec.command}: ${exit.code === null ? `killed by ${exit.sig}` : `exit code ${exit.code}`}${detail}`);
  };
  // Judged on the shell's exit, not on its pipes closing: a daemon the command
  // left behind may hold them open for good (the check then "timed out" though it had failed).
  return settleOnce(signal, spec.timeoutMs, verdict, (finish) => {
    // Its own group, so a timeout kills whatever the command started, too.
    const [shell, argument] = spec.shell;
    const child = spawn(shell, [argument, spec.command], { cwd: spec.cwd, env: { ...spec.env, [PROBE_MARK]: id }, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    const keep = (chunk: Buffer) => {
      output = (output + chunk.toString('utf8')).slice(-EXEC_OUTPUT_CHARS);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    child.on('error', (error) => finish(fail(`${spec.command}: ${error.message}`)));
    child.on('exit', (code, sig) => {
      exit = { code, sig };
      // Nothing the check started may outlive it: its group, then whatever left the group.
      if (child.pid !== undefined) signalProcess(child.pid, 'SIGKILL', true);
      escaped = reapMarked(id);
      // The output still in the pipes, unless something we could not reach holds them.
      const grace = setTimeout(() => finish(verdict()), EXEC_CLOSE_GRACE_MS);
      child.once('close', () => {
        clearTimeout(grace);
        finish(verdict());
      });
    });
    return () => {
      if (!exit && child.pid !== undefined) signalProcess(child.pid, 'SIGKILL', true);
      // A timeout or abort: nothing was reaped yet. Or again, when the first pass found
      // escapees: one of them may have been forking while it ran.
      if (!exit || escaped > 0) reapMarked(id);
    };
  });
}

export const realProber: Prober = {
  check(spec, signal) {
    switch (spec.kind) {
      case 'http':
        return httpGet(spec, signal);
      case 'tcp':
        return tcpConnect(spec, signal);
      case 'exec':
        return execShell(spec, signal);
    }
  },
};
