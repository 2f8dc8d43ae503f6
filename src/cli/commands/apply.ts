/**
 * A running stack takes the manifests as they are now: `core up` on a running
 * stack, `core apply [--dry-run]`, `core start`, `core restart`. The manifests
 * are loaded, resolved and generated here; any error in them (exit 2) comes
 * before anything is sent, so nothing running is touched. Then the document
 * goes to the supervisor (`POST /project`), which changes only what differs.
 */
import { APPLY_KEY, ControlError } from '../../control/client.js';
import { findStack, type StackHandle } from '../../control/connect.js';
import { checkPortsFree } from '../../control/port-check.js';
import type { ApplyOptions, ProjectBody } from '../../control/project-route.js';
import { generateStack, type GeneratedStack } from '../../compose/generate.js';
import type { ComposeDoc } from '../../compose/schema.js';
import { writeChangedServiceFiles } from '../../compose/write.js';
import { createProgressRenderer } from '../../deps/format.js';
import { closure } from '../../engine/dependencies.js';
import { provisionBinaries } from '../../deps/provision.js';
import { rendererFor } from '../../services/index.js';
import { InputError, RuntimeError } from '../../support/errors.js';
import { loadSettings } from '../../support/load-settings.js';
import { runState } from '../../support/proc.js';
import type { CliContext } from '../context.js';
import { parseTimeout } from '../flags.js';
import { loadStack, type LoadedStack } from '../load-stack.js';
import { print, printJson } from '../output.js';
import { selectServices } from '../prepare.js';
import { applyJson, applyLines, type ApplyReport } from '../render/apply-report.js';

export interface ApplyCommandOptions {
  readonly dryRun?: boolean;
  readonly json?: boolean;
  readonly timeout: string;
}

interface ApplyPlan {
  /** `core up svc…` / `core start svc…`: also bring these up; 'all': every process not disabled. */
  readonly start?: readonly string[] | 'all';
  /** Take only these definitions from the manifests (restart: the one service; start: those not running). */
  readonly only?: readonly string[];
  readonly restart?: readonly string[];
  /** false: return once started (`core restart` without --wait). */
  readonly wait?: boolean;
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

/** Each process's secret values (`x-core.secret_env`): sent over the socket, never written. */
function secretsOf(stack: LoadedStack): Record<string, Record<string, string>> {
  return Object.fromEntries(stack.plan.services.filter((s) => s.secretEnv.length).map((s) => [s.name, Object.fromEntries(s.secretEnv.map((key) => [key, s.env[key] ?? '']))]));
}

/** Everything that can fail on bad input, done before the running stack is asked anything. */
async function generate(ctx: CliContext, names: readonly string[]): Promise<{ stack: LoadedStack; generated: GeneratedStack }> {
  const stack = await loadStack(ctx, { cache: true });
  selectServices(stack, names); // unknown names: exit 2
  return { stack, generated: generateStack(stack.plan) };
}

/**
 * What a new run needs before the supervisor can start it: binaries, free
 * ports for processes new to the stack, config files and working folders.
 */
async function prepareFiles(stack: LoadedStack, generated: GeneratedStack, handle: StackHandle, only: readonly string[] | undefined): Promise<void> {
  const services = stack.plan.services.filter((s) => !only || only.includes(s.name));
  await provisionBinaries(
    services.flatMap((s) => s.binaries),
    stack.settings,
    { reuseLinked: true, reporter: createProgressRenderer((line) => process.stderr.write(`${line}\n`)) },
  );
  const running = new Set((await handle.client.processes()).map((p) => p.name));
  await checkPortsFree(services.filter((s) => !running.has(s.name)));
  // Only the config files of the definitions taken: another service runs on with the files it
  // started from (its own restart after a crash must not pick up a definition not applied).
  const files = only ? services.flatMap((s) => rendererFor(s)?.(s, stack.plan).files ?? []) : generated.files;
  await writeChangedServiceFiles({ ...generated, files });
}

/** An ApplyPlan, or one made from the new document and what runs now (`core start`). */
type PlanFor = ApplyPlan | ((doc: ComposeDoc, running: ReadonlySet<string>) => ApplyPlan);

async function send(ctx: CliContext, names: readonly string[], planFor: PlanFor, options: ApplyCommandOptions): Promise<ApplyReport> {
  const startedAt = performance.now();
  const timeoutMs = parseTimeout(options.timeout);
  const dryRun = options.dryRun === true;
  const handle = runningStack(ctx);
  const { stack, generated } = await generate(ctx, names);
  const plan = typeof planFor === 'function' ? planFor(generated.doc, new Set((await handle.client.processes()).filter((p) => p.is_running).map((p) => p.name))) : planFor;
  const start = plan.start === 'all' ? Object.keys(generated.doc.processes).filter((n) => !generated.doc.processes[n]!.disabled) : plan.start;
  if (handle.state?.engine === 'process-compose') {
    if (plan.only || plan.restart) throw new InputError('unsupported', 'under --engine process-compose only the whole document is applied (`core up`, `core apply`)');
    return (await import('./apply-process-compose.js')).applyWithProcessCompose(stack, generated, handle, timeoutMs, options);
  }
  if (!dryRun) await prepareFiles(stack, generated, handle, plan.only);
  const body: ProjectBody & { 'x-core': ApplyOptions } = {
    ...generated.doc,
    'x-core': {
      secrets: secretsOf(stack),
      timeout_ms: timeoutMs,
      ...(dryRun ? { dry_run: true } : {}),
      ...(start ? { start: [...start] } : {}),
      ...(plan.only ? { only: [...plan.only] } : {}),
      ...(plan.restart ? { restart: [...plan.restart] } : {}),
      ...(plan.wait === false ? { no_wait: true } : {}),
    },
  };
  let answer: Record<string, unknown>;
  try {
    answer = await handle.client.applyProject(body, timeoutMs + 10_000);
  } catch (error) {
    if (error instanceof ControlError && error.status === 409) throw new RuntimeError('apply-refused', error.message.replace(/^POST \/project: /, ''));
    if (error instanceof ControlError && error.status === 400) throw new InputError('apply-refused', error.message.replace(/^POST \/project: /, ''));
    throw new RuntimeError('apply-failed', `apply: ${(error as Error).message}`);
  }
  const report = answer[APPLY_KEY] as ApplyReport;
  const totalMs = Math.round(performance.now() - startedAt);
  if (options.json) printJson(applyJson(report, totalMs, dryRun));
  else for (const line of applyLines(report, totalMs, dryRun)) print(line);
  if (!report.ok && report.failure) {
    const { failure } = report;
    throw new RuntimeError('not-ready', failure.message, [
      ...(failure.lastProbeError ? [`last probe error: ${failure.lastProbeError}`] : []),
      ...(failure.lastLines.length ? [`last log lines of ${failure.name}:`, ...failure.lastLines.map((l) => `  ${l}`)] : []),
      'everything else was left as it was',
    ]);
  }
  return report;
}

/** `core apply [--dry-run]`: the manifests as they are now, applied to the running stack. */
export async function apply(ctx: CliContext, options: ApplyCommandOptions): Promise<void> {
  await send(ctx, [], {}, options);
}

/** `core up [svc…]` on a running stack: apply, and bring up what is named (default: everything enabled). */
export async function upRunning(ctx: CliContext, names: readonly string[], options: { json?: boolean; timeout: string }): Promise<void> {
  await send(ctx, names, { start: names.length ? names : 'all' }, options);
}

/**
 * `core start svc…`: bring these up, and what they depend on. Those that are
 * not running (stopped, or new to the manifests) start with their definition
 * as it is now, as `core up svc` would; what runs is never restarted, and the
 * rest of the stack keeps the definition it runs with.
 */
export async function start(ctx: CliContext, names: readonly string[], options: { json?: boolean; timeout: string }): Promise<void> {
  await send(ctx, names, (doc, running) => ({ start: names, only: closure(doc, names).filter((n) => !running.has(n)) }), options);
}

/** `core restart svc`: that service with its definition from the manifests and `.env` as they are now. */
export async function restart(ctx: CliContext, name: string, options: { json?: boolean; timeout: string; wait?: boolean }): Promise<void> {
  await send(ctx, [name], { only: [name], restart: [name], wait: options.wait === true }, options);
}
