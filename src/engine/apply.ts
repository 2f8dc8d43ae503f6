/**
 * A running stack takes a new document and changes only what differs.
 *
 *   diff(running, desired)                          (diff.ts, pure)
 *   stop removed + replaced + newly disabled        dependents first, among those only
 *   adopt the document                              replaced: new runner; kept: updated in place
 *   start added + replaced (+ what `start` names)   each gated on its dependencies, as at start-up
 *     (with `start` named, an added process only if `start` needs it)
 *   meanwhile, reload kept processes in place       those whose `x-core.reload` fingerprint changed
 *     and that run: check, signal, verify (reload.ts), in parallel
 *   wait until what was started is ready, and the reloads are verified
 *
 * A kept process keeps its pid, restart count and log; a dependent of a
 * replaced process runs on (depends_on gates only start-up, as in
 * process-compose). A replaced process that was stopped by hand stays stopped
 * with its new definition. Two applies never overlap: the second is refused
 * (`busy`), naming the one in progress; a caller may retry.
 */
import type { ComposeDoc } from '../compose/schema.js';
import { closure } from './dependencies.js';
import { diffStacks, namesOf, type DiffSide, type ProcessInputs, type StackDiff } from './diff.js';
import type { Supervisor } from './supervisor.js';
import { reloadProcess, type Reloaded, type ReloadOutcome } from './reload.js';
import type { ProcessOutcome, WaitReadyResult } from './wait-ready.js';

export type { Reloaded } from './reload.js';

/** A kept process did not take its new reloadable config: it runs on its old one. */
export interface ReloadFailure {
  readonly ok: false;
  readonly reason: 'reload-failed';
  /** The first process that failed (`message` names every one). */
  readonly name: string;
  /** Every process that failed. */
  readonly names: readonly string[];
  readonly message: string;
  readonly exitCode: null;
  readonly lastProbeError: null;
  /** What the process printed after the signal (nats-server says there why it refused). */
  readonly lastLines: readonly string[];
}

export interface ApplyRequest {
  readonly doc: ComposeDoc;
  /** New secret values per process; a process left out keeps the values it runs with. */
  readonly secrets?: Readonly<Record<string, Readonly<Record<string, string>>>>;
  /**
   * Also start these (and what they depend on) if they are not running: `core up [svc…]`.
   * Given, it also limits which added processes start: those among them or what they need.
   */
  readonly start?: readonly string[];
  /** How long to wait for what was started to be ready. */
  readonly timeoutMs: number;
  /** Compute the diff; change nothing. */
  readonly dryRun?: boolean;
  /**
   * Apply only these processes' definitions from `doc`; the others keep the
   * running ones (`core restart svc`, `core start svc`: [] takes nothing new).
   */
  readonly only?: readonly string[];
  /** Replace these even if their definition did not change (`core restart svc`). */
  readonly restart?: readonly string[];
  /** false: return once what is to start has been started, without waiting for it to be ready. */
  readonly wait?: boolean;
}

export type ApplyResult =
  | {
      readonly ok: true;
      readonly diff: StackDiff;
      /** What this apply started (added, replaced, or brought up for `start`), in start order. */
      readonly started: readonly string[];
      /** What it stopped for good (removed, or now disabled). */
      readonly stopped: readonly string[];
      /** The ready state of what was started. */
      readonly outcomes: readonly ProcessOutcome[];
      /** Kept processes whose reloadable config was reloaded in place (reload.ts). */
      readonly reloaded: readonly Reloaded[];
    }
  | {
      readonly ok: false;
      readonly reason: 'busy' | 'shutting-down' | 'unknown-process';
      readonly message: string;
    }
  | {
      readonly ok: false;
      /** A started process is not ready, or a kept one did not take its reload (the first one wins). */
      readonly reason: 'not-ready' | 'reload-failed';
      readonly diff: StackDiff;
      readonly started: readonly string[];
      readonly stopped: readonly string[];
      readonly reloaded: readonly Reloaded[];
      readonly failure: (WaitReadyResult & { ok: false }) | ReloadFailure;
    };

/** Phases a process is not running in, and from which `start` brings it up. */
const DOWN = new Set(['pending', 'stopped', 'failed', 'skipped']);

export async function applyDocument(engine: Supervisor, request: ApplyRequest): Promise<ApplyResult> {
  if (engine.isShuttingDown) return { ok: false, reason: 'shutting-down', message: 'the stack is shutting down' };
  if (engine.applying) {
    const { id, since } = engine.applying;
    return { ok: false, reason: 'busy', message: `apply ${id} is in progress (started ${Math.round(engine.clock.now() - since)} ms ago); try again when it has finished` };
  }
  const doc = effectiveDoc(engine.document, request);
  const unknown = [...(request.start ?? []), ...(request.restart ?? [])].filter((n) => !(n in doc.processes));
  if (unknown.length) return { ok: false, reason: 'unknown-process', message: `no process named ${unknown.join(', ')} in the stack` };
  const id = ++engine.applies;
  const since = engine.clock.now();
  engine.applying = { id, since };
  const dryRun = request.dryRun === true;
  engine.emit({ type: 'apply-started', name: '', at: since, id, dryRun });
  let result: ApplyResult | undefined;
  try {
    const diff = forceReplace(diffStacks(runningSide(engine), desiredSide(engine, doc, request.secrets ?? {})), request.restart ?? []);
    emitDiff(engine, id, diff);
    result = dryRun ? { ok: true, diff, started: [], stopped: [], outcomes: [], reloaded: [] } : await carryOut(engine, { ...request, doc }, diff);
    return result;
  } finally {
    engine.applying = undefined;
    const failed = result && !result.ok ? ('failure' in result ? result.failure.message : result.message) : undefined;
    engine.emit({
      type: 'apply-finished',
      name: '',
      at: engine.clock.now(),
      id,
      ok: result?.ok ?? false,
      afterMs: engine.clock.now() - since,
      ...(failed ? { message: failed } : {}),
    });
  }
}

async function carryOut(engine: Supervisor, request: ApplyRequest, diff: StackDiff): Promise<ApplyResult> {
  const { doc } = request;
  const removed = namesOf(diff, 'remove');
  const replaced = namesOf(diff, 'replace');
  const added = namesOf(diff, 'add');
  // Replaced processes come back unless stopped by hand or never started.
  const asked = new Set(request.restart ?? []);
  const restart = replaced.filter((n) => asked.has(n) || (!doc.processes[n]!.disabled && !['pending', 'stopped'].includes(engine.phaseOf(n) ?? 'pending')));
  const disabled = namesOf(diff, 'keep').filter((n) => doc.processes[n]!.disabled && !DOWN.has(engine.phaseOf(n) ?? 'pending') && engine.phaseOf(n) !== 'completed');
  await engine.stopSome([...removed, ...replaced, ...disabled]);
  if (engine.isShuttingDown) return { ok: false, reason: 'shutting-down', message: 'the stack is shutting down' };
  const previous = engine.document;
  engine.adopt(doc, request.secrets ?? {}, new Set(replaced));
  // The config files were written before this apply was asked for: signal now, while what is added starts.
  const reloading = reloadKept(engine, diff);

  // What to start: added and replaced ones, and what `start` asks for that is down (a
  // completed one-shot is not run again: its job is done, unless its definition changed).
  // With `start` named (`core up svc`), an added process starts only if it is among them
  // or what they need, as `core up svc` from nothing leaves the others pending.
  const needed = closure(doc, request.start ?? []);
  const addedToStart = added.filter((n) => !doc.processes[n]!.disabled && (!request.start || needed.includes(n)));
  const wanted = new Set([...addedToStart, ...restart]);
  for (const name of needed) if (DOWN.has(engine.phaseOf(name) ?? '')) wanted.add(name);
  const order = Object.keys(doc.processes).filter((n) => wanted.has(n));
  const started = order.length ? startInOrder(engine, doc, order) : [];
  const stopped = [...removed, ...disabled];
  const ready = started.length === 0 || request.wait === false ? undefined : await engine.waitReady(started, { timeoutMs: request.timeoutMs });
  const reloads = await reloading;
  const reloaded = reloads.filter((r): r is ReloadOutcome & { ok: true } => r.ok).map(({ ok: _, ...r }) => r);
  if (ready && !ready.ok) return { ok: false, reason: 'not-ready', diff, started, stopped, reloaded, failure: ready };
  const failed = reloads.filter((r): r is ReloadOutcome & { ok: false } => !r.ok);
  if (failed.length) {
    keepOldReload(
      engine,
      previous,
      failed.map((f) => f.name),
    );
    const failure: ReloadFailure = {
      ok: false,
      reason: 'reload-failed',
      name: failed[0]!.name,
      names: failed.map((f) => f.name),
      message: failed.map((f) => f.message).join('; '),
      exitCode: null,
      lastProbeError: null,
      lastLines: failed[0]!.lastLines,
    };
    return { ok: false, reason: 'reload-failed', diff, started, stopped, reloaded, failure };
  }
  const mine = new Set(started);
  return { ok: true, diff, started, stopped, outcomes: ready ? ready.outcomes.filter((o) => mine.has(o.name)) : [], reloaded };
}

/**
 * A process that did not take its reload runs on its old config: the running
 * document keeps its old `x-core.reload`, so the next apply of the same
 * manifests sees the difference and tries again instead of saying "no change".
 */
function keepOldReload(engine: Supervisor, previous: ComposeDoc, names: readonly string[]): void {
  const processes = { ...engine.document.processes };
  for (const name of names) {
    const now = processes[name]!;
    const { reload: _, ...xCore } = now['x-core']!;
    const old = previous.processes[name]?.['x-core']?.reload;
    processes[name] = { ...now, 'x-core': old ? { ...xCore, reload: old } : xCore };
  }
  engine.adopt({ ...engine.document, processes }, {}, new Set());
}

/**
 * Reload, in parallel, every kept process whose reloadable config changed and
 * that runs now (one stopped, waiting or backing off reads the new file when it
 * starts). Each outcome is also an event: `reloaded` or `reload-failed`.
 */
function reloadKept(engine: Supervisor, diff: StackDiff): Promise<ReloadOutcome[]> {
  const due = diff.processes.filter((p) => p.action === 'keep' && p.reload && ['probing', 'ready'].includes(engine.phaseOf(p.name) ?? ''));
  return Promise.all(
    due.map(async ({ name }) => {
      const spec = engine.document.processes[name]!['x-core']!.reload!;
      const host = engine.reloadHost(name)!;
      const outcome = await reloadProcess(name, spec, host);
      const at = engine.clock.now();
      if (outcome.ok) engine.emit({ type: 'reloaded', name, at, afterMs: outcome.afterMs, signalled: outcome.signalled, digest: outcome.digest });
      else engine.emit({ type: 'reload-failed', name, at, message: outcome.message });
      return outcome;
    }),
  );
}

/** The document to apply: all of `request.doc`, or the running one with only some processes taken from it. */
function effectiveDoc(running: ComposeDoc, request: ApplyRequest): ComposeDoc {
  if (!request.only) return request.doc;
  const processes = { ...running.processes };
  for (const name of request.only) {
    const proc = request.doc.processes[name];
    if (proc) processes[name] = proc;
  }
  return { ...running, processes };
}

/** A restart asked for by name is a replace, even with nothing changed. */
function forceReplace(diff: StackDiff, names: readonly string[]): StackDiff {
  if (names.length === 0) return diff;
  const processes = diff.processes.map((p) =>
    p.action === 'keep' && names.includes(p.name) ? { name: p.name, action: 'replace' as const, reasons: ['restart requested'], updates: p.updates } : p,
  );
  return { processes, unchanged: processes.every((p) => p.action === 'keep') };
}

function runningSide(engine: Supervisor): DiffSide {
  const doc = engine.document;
  return { doc, inputs: Object.fromEntries(Object.keys(doc.processes).map((name) => [name, engine.inputsOf(name)])) };
}

/** What `doc` would run from: `secrets` where given, the running ones elsewhere; the binary as on disk now. */
function desiredSide(engine: Supervisor, doc: ComposeDoc, secrets: NonNullable<ApplyRequest['secrets']>): DiffSide {
  const inputs: Record<string, ProcessInputs> = {};
  for (const [name, proc] of Object.entries(doc.processes)) {
    const running = engine.inputsOf(name, secrets[name]);
    // Compared only where the running side knows the binary it spawned.
    const binary = running.binary !== undefined ? engine.fingerprint(proc.entrypoint[0] ?? '') : undefined;
    inputs[name] = { secrets: running.secrets ?? {}, ...(binary !== undefined ? { binary } : {}) };
  }
  return { doc, inputs };
}

/** Start `names` in dependency order; Supervisor.start also brings up a dependency that is down. */
function startInOrder(engine: Supervisor, doc: ComposeDoc, names: readonly string[]): string[] {
  const set = new Set(names);
  const order = closure(doc, names).filter((n) => set.has(n));
  engine.start(order);
  return order;
}

function emitDiff(engine: Supervisor, id: number, diff: StackDiff): void {
  const replaced: { name: string; reasons: readonly string[] }[] = [];
  const updated: { name: string; fields: readonly string[] }[] = [];
  for (const p of diff.processes) {
    if (p.action === 'replace') replaced.push({ name: p.name, reasons: p.reasons });
    if (p.action === 'keep' && p.updates.length) updated.push({ name: p.name, fields: p.updates });
  }
  engine.emit({
    type: 'apply-diff',
    name: '',
    at: engine.clock.now(),
    id,
    added: namesOf(diff, 'add'),
    removed: namesOf(diff, 'remove'),
    replaced,
    updated,
    unchanged: diff.processes.filter((p) => p.action === 'keep' && p.updates.length === 0).length,
  });
}
