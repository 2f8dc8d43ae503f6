/**
 * `core <svc> run` while the stack runs: this terminal takes the service over.
 * The supervisor stops its copy (`core stop svc`: the dependents run on), the
 * service runs here with the stack's definition (its env, secrets included,
 * its ports, its working folder, the stack's marks so `core down` still finds
 * it), or as `-- <command…>` says (a debugger); when it exits the supervisor
 * starts its copy again (`core start svc`). It is a plain child with this
 * terminal's stdin, stdout and stderr, not supervised: a debugger owns it.
 */
import { spawn } from 'node:child_process';
import net from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { connectEngine } from '../engines/index.js';
import { stackMarks } from '../control/marks.js';
import { PROCESS_MARK, PROCESS_NAME_VAR } from '../engine/specs.js';
import type { PlannedService } from '../plan/types.js';
import { withoutSecrets } from '../plan/secrets.js';
import { checkWorkingDirs } from '../manifest/host-checks.js';
import { InputError, IssuesError, RuntimeError } from '../support/errors.js';
import type { ProcessIdentity } from '../support/proc.js';
import { runningStack, start } from './commands/apply.js';
import type { CliContext } from './context.js';
import { parseTimeout } from './flags.js';
import { loadStack } from './load-stack.js';
import { note, print } from './output.js';
import { selectServices } from './prepare.js';

const POLL_MS = 25;

export function connects(port: number, host: string): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host: ['0.0.0.0', '::'].includes(host) ? '127.0.0.1' : host });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

async function waitStopped(ctx: CliContext, name: string, timeoutMs: number): Promise<void> {
  const engine = connectEngine(runningStack(ctx));
  const deadline = Date.now() + timeoutMs;
  while ((await engine.snapshot()).find((p) => p.name === name)?.is_running) {
    if (Date.now() > deadline) throw new RuntimeError('stop-timeout', `the stack's ${name} did not stop within ${timeoutMs / 1000} s; nothing was taken over`);
    await sleep(POLL_MS);
  }
}

/** `READY: <svc> <url>` once its first port accepts connections, as long as it runs. */
async function announceReady(service: PlannedService, url: string | undefined, exited: () => boolean): Promise<void> {
  const port = Object.values(service.ports)[0];
  if (!port) return;
  while (!exited()) {
    if (await connects(port.port, port.host)) return print(`READY: ${service.name} ${url ?? ''}`.trimEnd());
    await sleep(POLL_MS);
  }
}

export interface TakeOverOptions {
  readonly timeout: string;
  /** `-- <command…>`: run it this way instead (same env, folder, ports). */
  readonly command: readonly string[];
  readonly url: (service: PlannedService) => string | undefined;
}

export async function takeOver(ctx: CliContext, name: string, supervisor: ProcessIdentity, options: TakeOverOptions): Promise<void> {
  const timeoutMs = parseTimeout(options.timeout);
  // Bad manifests or an unknown name: exit 2 before the running stack is touched.
  const stack = await loadStack(ctx, { cache: true });
  selectServices(stack, [name], true);
  const service = stack.plan.services.find((s) => s.name === name)!;
  // Its working_dir must be there (as `validate` says); the others are the running stack's business.
  const missing = checkWorkingDirs(stack.plan, stack.manifests).filter((issue) => issue.file === service.file);
  if (missing.length > 0) throw new IssuesError(missing);
  const engine = connectEngine(runningStack(ctx));
  const states = await engine.snapshot();
  if (!states.some((p) => p.name === name)) throw new InputError('unknown-service', `the running stack has no ${name}; add it with \`core up ${name}\` first`);
  const wasRunning = states.find((p) => p.name === name)?.is_running === true;
  if (wasRunning) {
    note(`core: stopping the stack's ${name}; it runs here until you end it (Ctrl-C), then the stack takes it back`);
    await engine.stop([name]);
    await waitStopped(ctx, name, timeoutMs);
  }
  const argv = options.command.length ? options.command : [service.command, ...service.args];
  // As the engine's childEnv: the name a default, the marks over the service's own environment.
  const env = {
    [PROCESS_NAME_VAR]: name,
    ...withoutSecrets(stack.settings.env),
    ...service.env,
    ...stackMarks(stack.settings.stackDir, supervisor),
    [PROCESS_MARK]: name,
  };
  const child = spawn(argv[0]!, argv.slice(1), { cwd: service.workingDir, env, stdio: 'inherit' });
  let exited = false;
  const ended = new Promise<{ code: number | null; signal: NodeJS.Signals | null; error?: Error }>((resolve) => {
    child.once('error', (error) => resolve({ code: null, signal: null, error }));
    child.once('exit', (code, signal) => resolve({ code, signal }));
  });
  let received: NodeJS.Signals | undefined;
  const forward = (signal: NodeJS.Signals) => {
    received ??= signal;
    // At a terminal, Ctrl-C reaches the whole foreground group, the child included: sending
    // it again would be a second Ctrl-C to a debugger. Without one, it came to us alone.
    if (signal !== 'SIGINT' || !process.stdin.isTTY) child.kill(signal);
  };
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, forward);
  void announceReady(service, options.url(service), () => exited);
  const result = await ended;
  exited = true;
  if (result.error) note(`core: cannot run ${argv[0]}: ${(result.error as NodeJS.ErrnoException).code ?? result.error.message}`);
  else note(`core: ${name} ended (${result.signal ?? `exit code ${result.code}`})`);
  if (wasRunning) {
    note(`core: the stack takes ${name} back`);
    try {
      await start(ctx, [name], { timeout: options.timeout });
    } catch (error) {
      note(`core: the stack could not take ${name} back: ${(error as Error).message}; \`core start ${name}\` tries again`);
      process.exitCode = 1;
    }
  }
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.off(signal, forward);
  if (process.exitCode === 1) return;
  process.exitCode = received === 'SIGINT' ? 130 : received === 'SIGTERM' ? 0 : result.error ? 1 : (result.code ?? 1);
}
