/**
 * Config reloads in place (`x-core.reload`) on a stack process-compose runs.
 * process-compose knows nothing of them: it compares a process's `x-core` like
 * any other key (`ProcessConfig.Compare` takes its extensions), so a changed
 * reload fingerprint in its file would restart the process. Hence:
 *
 * - the file it reads leaves out the `reload` of every process that has a
 *   `verify` (`pcDocument`): a change of only its reloadable config is then no
 *   change to process-compose, which keeps the process running;
 * - after process-compose has taken the file, core reloads each such process
 *   itself (engine/reload.ts): `nats-server -t` gives the new file's digest;
 *   when `/varz` already shows it there is nothing to do (no record of the
 *   previous fingerprint is needed), else the pid process-compose reports is
 *   signalled, once checked to be process-compose's own child with the start
 *   time it had when listed, and `/varz` must show the new digest (its log,
 *   read meanwhile, may say at once that it refused).
 *
 * A `reload` without `verify` stays in the file: core could not tell whether
 * it is due, so process-compose restarts such a process when it changes.
 */
import os from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ComposeDoc, ComposeProcess } from '../../compose/schema.js';
import type { ControlClient } from '../../control/client.js';
import { realClock } from '../../engine/interfaces.js';
import { realReloadTools, reloadProcess, type ReloadOutcome, type ReloadTools } from '../../engine/reload.js';
import { identify, parentOf, signalIfSame } from '../../support/proc.js';

const signalName = (signal: number) => Object.entries(os.constants.signals).find(([, n]) => n === signal)?.[0] as NodeJS.Signals | undefined;

/** The document as process-compose gets it: the `reload` of a process with `verify` left out. */
export function pcDocument(doc: ComposeDoc): ComposeDoc {
  const processes: Record<string, ComposeProcess> = {};
  for (const [name, proc] of Object.entries(doc.processes)) {
    const xCore = proc['x-core'];
    if (!xCore?.reload?.verify) {
      processes[name] = proc;
      continue;
    }
    const { reload: _, ...rest } = xCore;
    processes[name] = { ...proc, 'x-core': rest };
  }
  return { ...doc, processes };
}

const LOG_LINES = 20;
const LOG_POLL_MS = 50;

/**
 * process-compose streams no output: its log is read every LOG_POLL_MS instead,
 * and a line not among those `seen` before the check is new (nats-server's
 * lines carry a timestamp), so a refused reload is noticed at once.
 */
function followLog(client: ControlClient, name: string, seen: ReadonlySet<string>): { lines: () => readonly string[]; stop: () => void } {
  const lines: string[] = [];
  const fresh = new Set<string>();
  let stopped = false;
  void (async () => {
    while (!stopped) {
      for (const line of await client.logs(name, LOG_LINES).catch(() => [])) {
        if (seen.has(line) || fresh.has(line)) continue;
        fresh.add(line);
        lines.push(line);
      }
      await sleep(LOG_POLL_MS);
    }
  })();
  return { lines: () => lines, stop: () => void (stopped = true) };
}

export interface PcReload {
  /** The new document (with its `reload` keys). */
  readonly doc: ComposeDoc;
  /** process-compose's answer to the file reload: what it added, updated (restarted) or removed. */
  readonly status: Readonly<Record<string, string>>;
  readonly client: ControlClient;
  /** process-compose's own pid: a process to signal must be its child. */
  readonly pcPid: number;
  /** The environment process-compose gives that process (its secrets included: the file reads them). */
  readonly envOf: (name: string) => Readonly<Record<string, string>>;
  readonly tools?: ReloadTools;
}

/** Reload, in parallel, every running process with `reload.verify` that process-compose did not start or restart. */
export async function reloadUnderPc({ doc, status, client, pcPid, envOf, tools = realReloadTools }: PcReload): Promise<ReloadOutcome[]> {
  const due = Object.entries(doc.processes).filter(([name, proc]) => proc['x-core']?.reload?.verify && status[name] === undefined);
  if (due.length === 0) return [];
  const states = await client.processes();
  const outcomes = due.map(async ([name, proc]): Promise<ReloadOutcome | undefined> => {
    const state = states.find((s) => s.name === name);
    if (!state?.is_running || !(state.pid > 1)) return undefined; // not running: it reads the new file when started
    const identity = identify(state.pid);
    const seen = new Set(await client.logs(name, LOG_LINES).catch(() => []));
    const outcome = await reloadProcess(name, proc['x-core']!.reload!, {
      clock: realClock,
      tools,
      env: envOf(name),
      cwd: proc.working_dir,
      signal: (signal) => {
        const sig = signalName(signal);
        // Never a pid reused since it was listed: the same start time, and still process-compose's child.
        return sig && parentOf(identity.pid) === pcPid && signalIfSame(identity, sig) ? identity.pid : undefined;
      },
      captureOutput: () => followLog(client, name, seen),
    });
    if (outcome.ok) return outcome;
    const lastLines = await client.logs(name, LOG_LINES).catch(() => []);
    return { ...outcome, lastLines };
  });
  return (await Promise.all(outcomes)).filter((o): o is ReloadOutcome => o !== undefined);
}
