/**
 * What `core verify` checks and reports. A check is a chain of steps that
 * build on each other (connect, then write and read): after a failed step the
 * rest of its chain is reported as not run. Chains are independent: a stopped
 * Caddy does not keep the NATS steps from running.
 */

/** One step as reported (`--json`: `steps[]`). */
export interface StepResult {
  /** `nats: publish/subscribe`, `caddy → pocketbase: health`, `api: readiness`. */
  readonly name: string;
  /** The path the step's request takes: `client → caddy (127.0.0.1:2015) → pocketbase`. */
  readonly hop: string;
  /** False for a failure, and for a step not run because an earlier one of its chain failed. */
  readonly ok: boolean;
  readonly ms: number;
  /** Why it failed: connection refused, timed out after N ms, HTTP status + body excerpt. */
  readonly error?: string;
  /** Why it was not run (with ok true: nothing to check, e.g. no superuser configured). */
  readonly skipped?: string;
}

/** What a step's body may answer instead of passing silently: it had nothing to check. */
export interface Skip {
  readonly skipped: string;
}

export interface StepSpec {
  readonly name: string;
  readonly hop: string;
  /** Throws (or rejects) on failure; `signal` aborts when the step's time is up. */
  // biome-ignore lint/suspicious/noConfusingVoidType: a step passes by returning nothing, as any async check does
  readonly run: (signal: AbortSignal) => Promise<void | Skip>;
}

/** Steps run in order; `close` releases what they share (a connection), also after a failure. */
export interface Chain {
  readonly steps: readonly StepSpec[];
  readonly close?: () => Promise<void>;
}

export interface VerifyReport {
  readonly ok: boolean;
  readonly steps: readonly StepResult[];
}

/** A failure that names its cause in words for the report (no stack, no secret). */
export class StepFailure extends Error {}
