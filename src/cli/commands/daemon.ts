/**
 * `core internal supervise`: the detached supervisor behind `core up -d`. It
 * reports to the waiting `core up` over the IPC channel, then carries on alone.
 */
import { supervise } from '../../control/supervise.js';
import { generateStack } from '../../compose/generate.js';
import { CoreError, ExitCode } from '../../support/errors.js';
import type { CliContext } from '../context.js';
import { loadStack } from '../load-stack.js';
import { describeEvent } from '../render/event-line.js';

export type DaemonMessage =
  | { readonly type: 'ready'; readonly name: string; readonly afterMs: number }
  | { readonly type: 'result'; readonly ok: true }
  | {
      readonly type: 'result';
      readonly ok: false;
      readonly name: string;
      readonly message: string;
      readonly lastProbeError: string | null;
      readonly lastLines: readonly string[];
    }
  | { readonly type: 'error'; readonly exitCode: number; readonly reason: string; readonly message: string; readonly details: readonly string[] };

const send = (message: DaemonMessage) => new Promise<void>((resolve) => (process.send ? process.send(message, () => resolve()) : resolve()));

export async function daemon(ctx: CliContext, targets: string[], options: { timeout: string }): Promise<void> {
  const log = (line: string) => process.stdout.write(`${new Date().toISOString()} ${line}\n`);
  let running;
  try {
    const stack = await loadStack(ctx);
    const { doc } = generateStack(stack.plan);
    running = await supervise({
      settings: stack.settings,
      plan: stack.plan,
      doc,
      self: ctx.self,
      onEvent: (event) => {
        const line = describeEvent(event);
        if (line) log(line);
        if (event.type === 'ready' && targets.includes(event.name)) void send({ type: 'ready', name: event.name, afterMs: Math.round(event.afterMs) });
      },
    });
  } catch (error) {
    const core = error instanceof CoreError ? error : undefined;
    await send({ type: 'error', exitCode: core?.exitCode ?? ExitCode.runtime, reason: core?.reason ?? 'internal', message: core?.message ?? String(error), details: core?.details ?? [] });
    process.exit(core?.exitCode ?? ExitCode.runtime);
  }
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, () => void running.shutdown());
  running.engine.start(targets);
  const result = await running.engine.waitReady(targets, { timeoutMs: Number(options.timeout) });
  if (result.ok) {
    log(`stack up: ${targets.join(', ')}`);
    await send({ type: 'result', ok: true });
  } else {
    log(`not ready: ${result.message}; stopping`);
    await running.shutdown();
    await send({ type: 'result', ok: false, name: result.name, message: result.message, lastProbeError: result.lastProbeError, lastLines: result.lastLines });
  }
  if (process.connected) process.disconnect();
  await running.stopped;
  log('supervisor stopped');
  process.exit(0);
}
