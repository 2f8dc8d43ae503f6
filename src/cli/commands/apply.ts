/**
 * A running stack takes the manifests as they are now: `core up` on a running
 * stack, `core apply [--dry-run]`, `core start`, `core restart`. The manifests
 * are loaded, resolved and generated here, when the engine asks for them; any
 * error in them (exit 2) comes before anything is sent, so nothing running is
 * touched. Then the engine changes only what differs (engines/engine.ts
 * `StackEngine.apply`): whichever runs, this file does not ask.
 */
import { findStack, type StackHandle } from '../../control/connect.js';
import { generateStack } from '../../compose/generate.js';
import { connectEngine, type DesiredStack, type StackChange } from '../../engines/index.js';
import { unhonouredWatch } from '../../engines/unhonoured.js';
import { checkWorkingDirs } from '../../manifest/host-checks.js';
import { IssuesError, RuntimeError } from '../../support/errors.js';
import { loadSettings } from '../../support/load-settings.js';
import { isPcProject } from '../../support/pc-stack.js';
import { runState } from '../../support/proc.js';
import type { CliContext } from '../context.js';
import { parseTimeout } from '../flags.js';
import { loadStack } from '../load-stack.js';
import { print, printJson } from '../output.js';
import { selectServices } from '../prepare.js';
import { renderApplied } from '../render/apply-report.js';
import { type CarryHook, carryBeforeChange, carryPreview, withHint } from '../../services/nats-migrate/hook.js';

export interface ApplyCommandOptions {
  readonly dryRun?: boolean;
  readonly json?: boolean;
  readonly timeout: string;
}

/** The running stack of this project, or an error saying why there is none to talk to. */
export function runningStack(ctx: CliContext): StackHandle {
  const stack = findStack(loadSettings(process.cwd(), ctx.env).stackDir);
  if (!stack.supervisor) throw new RuntimeError('not-running', 'the stack is not running (start it with `core up`)');
  if (runState(stack.supervisor.pid) === 'stopped') {
    throw new RuntimeError(
      'supervisor-stopped',
      `the supervisor (pid ${stack.supervisor.pid}) is stopped (SIGSTOP); resume it with \`kill -CONT ${stack.supervisor.pid}\`, or stop the stack with \`core down\``,
    );
  }
  return stack;
}

/** Everything that can fail on bad input, done before the running stack is asked anything. */
async function desired(ctx: CliContext, names: readonly string[]): Promise<DesiredStack> {
  const settings = loadSettings(process.cwd(), ctx.env);
  if (isPcProject(settings.root)) return (await import('../pc-up/desired.js')).desiredPc(ctx, settings, names);
  const stack = await loadStack(ctx, { cache: true });
  selectServices(stack, names); // unknown names: exit 2
  const missing = checkWorkingDirs(stack.plan, stack.manifests); // a working_dir that is not there: exit 2, as `validate` says it
  if (missing.length > 0) throw new IssuesError(missing);
  return { settings: stack.settings, plan: stack.plan, generated: generateStack(stack.plan) };
}

async function send(ctx: CliContext, kind: StackChange['kind'], names: readonly string[], options: ApplyCommandOptions & { wait?: boolean }): Promise<void> {
  const handle = runningStack(ctx);
  const engine = connectEngine(handle);
  // A topology change that replaces the processes holding NATS streams carries them over (services/nats-migrate/hook.ts).
  let carry: CarryHook | undefined;
  let preview: string[] = [];
  const applied = await engine
    .apply({
      kind,
      names,
      desired: async () => {
        const stack = await desired(ctx, names);
        const unhonoured = unhonouredWatch(engine, stack.generated.doc);
        if (unhonoured) process.stderr.write(`${unhonoured}\n`);
        if (kind === 'apply' || kind === 'up') {
          if (options.dryRun) preview = await carryPreview(engine, stack);
          else carry = await carryBeforeChange(engine, handle, stack);
        }
        return stack;
      },
      timeoutMs: parseTimeout(options.timeout),
      ...(options.dryRun ? { dryRun: true } : {}),
      ...(options.wait !== undefined ? { wait: options.wait } : {}),
      progress: (line) => process.stderr.write(`${line}\n`),
    })
    .catch((error: unknown) => {
      throw withHint(error, carry);
    });
  const failure = applied.kind === 'asked' ? undefined : applied.report.failure;
  const rendered = renderApplied(applied);
  if (!(options.json && rendered.json)) for (const line of rendered.lines) print(line);
  const carried = carry && !failure ? await carry.finish() : undefined;
  if (options.json && rendered.json) printJson(carried ? { ...rendered.json, nats_carried: carried.json } : rendered.json);
  else for (const line of carried?.lines ?? preview) print(line);
  if (failure) {
    // `names`: a config reload in place that did not take (the process runs on its old config).
    throw new RuntimeError(failure.names ? 'reload-failed' : 'not-ready', failure.message, [
      ...(failure.lastProbeError ? [`last probe error: ${failure.lastProbeError}`] : []),
      ...(failure.lastLines.length ? [`last log lines of ${failure.name}:`, ...failure.lastLines.map((l) => `  ${l}`)] : []),
      'everything else was left as it was',
      ...(carry?.hint() ?? []),
    ]);
  }
}

/** `core apply [--dry-run]`: the manifests as they are now, applied to the running stack. */
export async function apply(ctx: CliContext, options: ApplyCommandOptions): Promise<void> {
  await send(ctx, 'apply', [], options);
}

/** `core up [svc…]` on a running stack: apply, and bring up what is named (default: everything enabled). */
export async function upRunning(ctx: CliContext, names: readonly string[], options: { json?: boolean; timeout: string }): Promise<void> {
  await send(ctx, 'up', names, options);
}

/** `core start svc…`: bring these up (and what they depend on) as they are defined in the running stack. */
export async function start(ctx: CliContext, names: readonly string[], options: { json?: boolean; timeout: string }): Promise<void> {
  await send(ctx, 'start', names, options);
}

/** `core restart svc`: that service with its definition from the manifests and `.env` as they are now (where the engine can). */
export async function restart(ctx: CliContext, name: string, options: { json?: boolean; timeout: string; wait?: boolean }): Promise<void> {
  // The running stack's own account of which processes a service runs as (no second planning).
  const services = runningStack(ctx).state?.services ?? {};
  const processes = Object.keys(services).filter((process) => services[process] === name);
  if (processes.length <= 1) return send(ctx, 'restart', [name], { ...options, wait: options.wait === true });
  // A cluster restarts one node at a time, each ready before the next: the others keep the quorum.
  for (const process of processes) await send(ctx, 'restart', [process], { ...options, wait: true });
}
