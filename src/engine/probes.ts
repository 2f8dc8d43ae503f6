/**
 * One readiness or liveness check: an HTTP GET, a TCP connect, or a shell command.
 * Every check has a timeout, honours an AbortSignal, and resolves to a value.
 */
import { spawn } from 'node:child_process';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import type { ProbeResult, ProbeSpec, Prober } from './interfaces.js';
import { signalProcess } from './real-spawner.js';

const OK: ProbeResult = { ok: true };
const fail = (error: string): ProbeResult => ({ ok: false, error });
/** Output of a failing exec probe kept for its error message. */
const EXEC_OUTPUT_CHARS = 300;

type Finish = (result: ProbeResult) => void;

/** Runs `body` with a `finish` that settles once and tears the check down. */
function settleOnce(signal: AbortSignal, timeoutMs: number, body: (finish: Finish) => () => void): Promise<ProbeResult> {
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
    const timer = setTimeout(() => finish(fail(`timed out after ${timeoutMs} ms`)), timeoutMs);
    signal.addEventListener('abort', onAbort);
    cleanup = body(finish);
  });
}

function httpGet(spec: ProbeSpec & { kind: 'http' }, signal: AbortSignal): Promise<ProbeResult> {
  const url = `${spec.scheme}://${spec.host}${spec.port === undefined ? '' : `:${spec.port}`}${spec.path}`;
  return settleOnce(signal, spec.timeoutMs, (finish) => {
    const request = (spec.scheme === 'https' ? https : http).get(url, {
      headers: spec.headers,
      agent: false,
      // A health check asks "is it up", not "who is it"; local stacks use self-signed certificates.
      rejectUnauthorized: false,
    });
    request.on('response', (response) => {
      response.resume();
      const status = response.statusCode ?? 0;
      finish(status === spec.statusCode ? OK : fail(`GET ${url}: status ${status}, expected ${spec.statusCode}`));
    });
    request.on('error', (error) => finish(fail(`GET ${url}: ${error.message}`)));
    return () => request.destroy();
  });
}

function tcpConnect(spec: ProbeSpec & { kind: 'tcp' }, signal: AbortSignal): Promise<ProbeResult> {
  return settleOnce(signal, spec.timeoutMs, (finish) => {
    const socket = net.connect({ host: spec.host, port: spec.port });
    socket.on('connect', () => finish(OK));
    socket.on('error', (error) => finish(fail(`connect ${spec.host}:${spec.port}: ${error.message}`)));
    return () => socket.destroy();
  });
}

function execShell(spec: ProbeSpec & { kind: 'exec' }, signal: AbortSignal): Promise<ProbeResult> {
  return settleOnce(signal, spec.timeoutMs, (finish) => {
    // Its own group, so a timeout kills whatever the command started, too.
    const child = spawn('bash', ['-c', spec.command], { cwd: spec.cwd, env: { ...spec.env }, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    let closed = false;
    const keep = (chunk: Buffer) => {
      output = (output + chunk.toString('utf8')).slice(-EXEC_OUTPUT_CHARS);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    child.on('error', (error) => finish(fail(`${spec.command}: ${error.message}`)));
    child.on('close', (code, sig) => {
      closed = true;
      const detail = output.trim() ? `: ${output.trim()}` : '';
      finish(code === 0 ? OK : fail(`${spec.command}: ${code === null ? `killed by ${sig}` : `exit code ${code}`}${detail}`));
    });
    return () => {
      if (!closed && child.pid !== undefined) signalProcess(child.pid, 'SIGKILL', true);
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
