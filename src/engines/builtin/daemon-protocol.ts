/**
 * What `core up -d` and its detached supervisor (`core internal supervise`,
 * cli/commands/daemon.ts) say to each other over the IPC channel. Types only.
 */
import type { ComposeDoc } from '../../compose/schema.js';
import type { StackPlan } from '../../plan/types.js';
import type { Settings } from '../../support/settings.js';
import type { ReadyResult } from '../engine.js';

/** What `core up -d` sends first: the prepared stack (so the supervisor neither re-reads nor re-validates it). */
export interface DaemonInit {
  readonly type: 'init';
  readonly settings: Settings;
  readonly plan: StackPlan;
  readonly doc: ComposeDoc;
  /** Secret values beside the plan's (a process-compose file's env files): over IPC, never written. */
  readonly secrets?: Readonly<Record<string, Readonly<Record<string, string>>>>;
  readonly targets: readonly string[];
  readonly timeoutMs: number;
}

export type DaemonMessage =
  /** A target's readiness check passed (processes without one are told in the result). */
  | { readonly type: 'ready'; readonly name: string; readonly afterMs: number }
  /** A target is taking its time: what it waits for (src/engine/progress.ts). */
  | { readonly type: 'progress'; readonly line: string }
  | ({ readonly type: 'result' } & ReadyResult)
  | { readonly type: 'error'; readonly exitCode: number; readonly reason: string; readonly message: string; readonly details: readonly string[] };
