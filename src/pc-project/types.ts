/** The contract between the loader and `core up -f` (BRIEF: pc-load ↔ pc-up). */
import type { ComposeDoc } from '../compose/schema.js';

export interface PcLoadOptions {
  /** -f, in order (absolute or relative to cwd); empty: discovered in cwd as process-compose does. */
  readonly files: readonly string[];
  /** -e; empty: `.env` in cwd (process-compose's `-e` default), when it exists. */
  readonly envFiles: readonly string[];
  /** -n */
  readonly namespaces: readonly string[];
  /** PROCESS … (empty: all) */
  readonly processes: readonly string[];
  /** --no-deps */
  readonly noDeps: boolean;
  /** The OS environment. */
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
}

export interface PcIssue {
  readonly file: string;
  /** Key path, e.g. `processes.web.availability.restart` ("" for the whole file). */
  readonly path: string;
  readonly message: string;
}

export type PcLoadResult =
  | {
      ok: true;
      doc: ComposeDoc;
      projectDir: string;
      warnings: readonly PcIssue[];
      /**
       * Per process (doc key): env values read from env files (`.env`/-e, `env_file`). Left out of
       * `doc` so a written compose file holds none of them in clear; their keys are in
       * `x-core.secret_env`. The engine adds them over the OS environment at start.
       */
      secrets: Readonly<Record<string, Readonly<Record<string, string>>>>;
    }
  | { ok: false; issues: readonly PcIssue[] };
