/** What a Supervisor (supervisor.ts) is made from, and what some of its methods answer. */
import type { ComposeDoc } from '../compose/schema.js';
import type { Clock, OpenLog, Prober, Spawner } from './interfaces.js';
import type { OpenPcLog } from './pc-log/sink.js';
import type { ReloadTools } from './reload.js';

export interface SupervisorOptions {
  readonly doc: ComposeDoc;
  /** The environment every child starts from; each process's `environment` goes on top. */
  readonly baseEnv: Readonly<Record<string, string>>;
  /** Per process, values for its `x-core.secret_env` keys, which the generated file leaves out. */
  readonly secrets?: Readonly<Record<string, Readonly<Record<string, string>>>>;
  /** Each process's output as it printed it: `<logDir>/<name>.log`. */
  readonly logDir: string;
  readonly clock?: Clock;
  readonly spawner?: Spawner;
  readonly prober?: Prober;
  readonly openLog?: OpenLog;
  /** process-compose's `log_location` files (default: engine/pc-log/sink.ts, on the disk). */
  readonly openPcLog?: OpenPcLog;
  /** The identity of an executable, compared at an apply (default: fingerprint.ts, from the disk). */
  readonly fingerprint?: (command: string) => string | undefined;
  /** The config check and digest query of a reload (default: reload.ts, a real child process and GET). */
  readonly reloadTools?: ReloadTools;
  /** Records kept in memory for `core events` (journal.ts DEFAULT_JOURNAL_CAPACITY). */
  readonly journalCapacity?: number;
  /** Told when a subscriber throws; the event still reaches the others, and the supervisor goes on. */
  readonly onSubscriberError?: (error: unknown) => void;
}

export type StartResult =
  | { readonly ok: true; readonly names: readonly string[] }
  | { readonly ok: false; readonly reason: 'unknown-process'; readonly names: readonly string[] }
  | { readonly ok: false; readonly reason: 'shutting-down' };

export interface ProjectExit {
  readonly name: string;
  readonly exitCode: number;
  readonly reason: string;
}
