/**
 * The call a change of a running stack makes (cli/commands/apply.ts): before
 * the change is sent, whether it replaces the processes holding a NATS
 * service's streams (pure, cheap); only then the NATS clients are loaded and
 * the streams checked. After the change, the old stores are read and their
 * streams carried over.
 */
import type { StackHandle } from '../../control/connect.js';
import { stackMarks } from '../../control/marks.js';
import type { DesiredStack, StackEngine } from '../../engines/engine.js';
import { CoreError, InputError, RuntimeError } from '../../support/errors.js';
import { carriesNeeded, natsServices } from './groups.js';

export interface CarryHook {
  /** After a change that brought the new processes up: carry, check, and say what was carried. */
  finish(): Promise<{ lines: string[]; json: unknown[] }>;
  /** Lines for a change that failed: the old store is untouched, and the way back. */
  hint(): string[];
}

export async function carryBeforeChange(engine: StackEngine, handle: StackHandle, desired: DesiredStack): Promise<CarryHook | undefined> {
  if (natsServices(desired.plan).size === 0) return undefined; // no JetStream: not even a look at the running stack
  const processes = await engine.snapshot();
  const names = processes.map((p) => p.name);
  if (carriesNeeded(names, desired.plan).length === 0) return undefined;
  const carry = await import('./carry.js');
  const pending = await carry.checkBeforeChange(
    { names, running: new Set(processes.filter((p) => p.is_running).map((p) => p.name)), ports: handle.state?.ports ?? {} },
    desired.plan,
  );
  if (pending.length === 0) return undefined;
  return {
    finish: async () => {
      // Read again: the change stopped the old processes (a store is read only once its server is gone).
      const running = new Set((await engine.snapshot()).filter((p) => p.is_running).map((p) => p.name));
      const marks = handle.supervisor ? stackMarks(desired.plan.stackDir, handle.supervisor) : {};
      const carried = await carry.importAfterChange(pending, desired.plan, { running, marks });
      return { lines: carried.flatMap((c) => carry.carriedLines(desired.plan, c)), json: carried.map((c) => carry.carriedJson(desired.plan, c)) };
    },
    hint: () => pending.flatMap((p) => carry.goBack(desired.plan, p.need)),
  };
}

/** `--dry-run`: what a carry-over the change would need (nothing is read). */
export async function carryPreview(engine: StackEngine, desired: DesiredStack): Promise<string[]> {
  const names = (await engine.snapshot()).map((p) => p.name);
  return carriesNeeded(names, desired.plan).map(
    (need) =>
      `would carry the JetStream streams of ${need.from.join(', ')} over to ${need.to.map((s) => s.name).join(', ')} (checked before the change, read from the old store once it stopped, republished, every count checked)`,
  );
}

/**
 * The same error with the hook's lines under it (a change that failed after the
 * streams were saved). Exit 2 means refused before anything changed.
 */
export function withHint(error: unknown, hook: CarryHook | undefined): unknown {
  if (!hook) return error;
  if (error instanceof InputError) return error; // refused before anything changed: nothing was read into a backup
  if (error instanceof CoreError) return new RuntimeError(error.reason, error.message, [...error.details, ...hook.hint()]);
  return new RuntimeError('apply-failed', (error as Error).message, hook.hint());
}
