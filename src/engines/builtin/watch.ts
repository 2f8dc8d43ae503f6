/**
 * `process.watch`: the supervisor restarts a process when one of its watched
 * files changes, so it works the same under `core up` and `core up -d`. The
 * restart is an apply of the process's running definition (`only` and
 * `restart` that process, as `core restart` does), so its dependents run on
 * untouched. The supervisor does not re-read manifests: a change to
 * service.json itself still needs `core up`, which applies it (and a changed
 * `watch` is taken in place, below). Node's own `fs.watch` (recursive on
 * Linux since Node 20) is enough: no polling, no library.
 */
import path from 'node:path';
import type { ComposeDoc } from '../../compose/schema.js';
import { isIgnored } from '../../engine/watch-match.js';
import type { Supervisor } from '../../engine/supervisor.js';
import { watchPath } from './watch-path.js';

type WatchSpec = NonNullable<NonNullable<ComposeDoc['processes'][string]['x-core']>['watch']>;

export interface WatchingOptions {
  readonly engine: Supervisor;
  /** The project root (changed files are named relative to it) and the folders core writes (never a trigger). */
  readonly root: string;
  readonly ownDirs: readonly string[];
  /** A line for the supervisor's log: a path that cannot be watched. */
  readonly note: (line: string) => void;
  /** How long a restart may wait for the process to be ready (it does not block the watcher). */
  readonly timeoutMs?: number;
}

export interface Watching {
  /** Take the running document's `watch` keys again (after an apply). */
  sync(): void;
  close(): void;
}

/** An apply already in progress: try again after this long. */
const BUSY_RETRY_MS = 250;

const inside = (dir: string, file: string) => file === dir || file.startsWith(`${dir}${path.sep}`);

interface ProcessWatch {
  readonly key: string;
  close(): void;
}

export function startWatching({ engine, root, ownDirs, note, timeoutMs = 60_000 }: WatchingOptions): Watching {
  const watches = new Map<string, ProcessWatch>();

  const restart = async (name: string, file: string, changes: number): Promise<void> => {
    // While an apply runs, a process it replaces is `pending` for a moment: judge it once the apply is over.
    while (engine.applying && !engine.isShuttingDown) await new Promise((resolve) => setTimeout(resolve, BUSY_RETRY_MS));
    if (engine.isShuttingDown || !engine.document.processes[name]) return;
    const shown = inside(root, file) ? path.relative(root, file) : file;
    // Stopped by hand (`core stop`, or taken over by `core <svc> run` in a terminal) or never
    // started: a save must not bring it back. A crashed one (failed) is restarted: that is the fix.
    const phase = engine.phaseOf(name);
    if (phase === undefined || phase === 'stopped' || phase === 'pending') {
      note(`watch: ${shown} changed, but ${name} is ${phase ?? 'gone'}: not restarted`);
      return;
    }
    engine.emit({ type: 'watch-triggered', name, at: engine.clock.now(), file: shown, changes });
    for (;;) {
      const result = await engine.apply({ doc: engine.document, only: [name], restart: [name], timeoutMs, wait: false });
      if (result.ok || result.reason !== 'busy') return;
      await new Promise((resolve) => setTimeout(resolve, BUSY_RETRY_MS));
      if (engine.isShuttingDown) return;
    }
  };

  const watchOne = (name: string, spec: WatchSpec): ProcessWatch => {
    let timer: NodeJS.Timeout | undefined;
    let first: string | undefined;
    let changes = 0;
    const changed = (file: string) => {
      first ??= file;
      changes += 1;
      if (timer) clearTimeout(timer);
      // Trailing debounce: one restart once the burst is over (an editor's save is several events).
      timer = setTimeout(() => {
        const [file, count] = [first!, changes];
        timer = undefined;
        first = undefined;
        changes = 0;
        void restart(name, file, count).catch((error: Error) => note(`watch: restarting ${name} failed: ${error.message}`));
      }, spec.debounce_ms);
    };
    const shown = (file: string) => (inside(root, file) ? path.relative(root, file) || '.' : file);
    // A path that is not there yet (a `dist/` built later) or goes and comes back is followed (watch-path.ts).
    const watchers = spec.paths.map((target) => {
      const own = ownDirs.filter((d) => !inside(d, target));
      return watchPath({
        target,
        changed: (file, rel) => {
          if (own.some((d) => inside(d, file))) return;
          if (rel && isIgnored(rel, spec.ignore)) return;
          changed(file);
        },
        note: (line) => note(`watch: ${name}: ${line}`),
        show: shown,
      });
    });
    return {
      key: JSON.stringify(spec),
      close: () => {
        if (timer) clearTimeout(timer);
        for (const watcher of watchers) watcher.close();
      },
    };
  };

  const sync = () => {
    const processes = engine.document.processes;
    for (const [name, watch] of watches) {
      const spec = processes[name]?.['x-core']?.watch;
      if (!spec || JSON.stringify(spec) !== watch.key) {
        watch.close();
        watches.delete(name);
      }
    }
    for (const [name, proc] of Object.entries(processes)) {
      const spec = proc['x-core']?.watch;
      if (spec && !watches.has(name)) watches.set(name, watchOne(name, spec));
    }
  };

  const unsubscribe = engine.subscribe((event) => {
    if (event.type === 'apply-finished') sync();
  });
  sync();
  return {
    sync,
    close: () => {
      unsubscribe();
      for (const watch of watches.values()) watch.close();
      watches.clear();
    },
  };
}
