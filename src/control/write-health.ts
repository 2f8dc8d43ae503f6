/**
 * What the supervisor failed to write: log lines dropped (disk full, folder
 * read-only) and a state file it could not save. A failed write never ends the
 * supervisor; it is counted here, logged once per cause, and shown by `core
 * status` (over `GET /project/state`).
 */
import path from 'node:path';

export type WriteProblem =
  | { readonly kind: 'logs-dropped'; readonly path: string; readonly code: string; readonly lines: number; readonly since: string; readonly last: string }
  | { readonly kind: 'state-not-saved'; readonly path: string; readonly code: string; readonly since: string; readonly last_saved: string | null };

const codeOf = (error: unknown) => (error as NodeJS.ErrnoException | undefined)?.code ?? (error instanceof Error ? error.message : String(error));

export class WriteHealth {
  private logs: { path: string; code: string; lines: number; since: string; last: string } | undefined;
  private state: { path: string; code: string; since: string } | undefined;
  private lastSaved: string | null = null;

  constructor(private readonly now: () => Date = () => new Date()) {}

  /** `lines` lines meant for `file` were not written. True the first time for this cause (log it once). */
  droppedLines(file: string, error: unknown, lines: number): boolean {
    const code = codeOf(error);
    const at = this.now().toISOString();
    const folder = path.dirname(file);
    const fresh = !this.logs || this.logs.code !== code || this.logs.path !== folder;
    this.logs = { path: folder, code, lines: (this.logs?.lines ?? 0) + lines, since: this.logs?.since ?? at, last: at };
    return fresh;
  }

  /** The state file could not be saved. True the first time since it was last saved. */
  stateFailed(file: string, error: unknown): boolean {
    const fresh = !this.state;
    this.state = { path: file, code: codeOf(error), since: this.state?.since ?? this.now().toISOString() };
    return fresh;
  }

  /** Saved: true when that ends a failure. */
  stateSaved(): boolean {
    this.lastSaved = this.now().toISOString();
    const recovered = this.state !== undefined;
    this.state = undefined;
    return recovered;
  }

  problems(): WriteProblem[] {
    return [
      ...(this.logs ? [{ kind: 'logs-dropped' as const, ...this.logs }] : []),
      ...(this.state ? [{ kind: 'state-not-saved' as const, ...this.state, last_saved: this.lastSaved }] : []),
    ];
  }
}

/** One line for a person: "1234 log lines dropped (ENOSPC on /p/.core-stack/logs) since …". */
export function describeProblem(problem: WriteProblem): string {
  switch (problem.kind) {
    case 'logs-dropped':
      return `${problem.lines} log line${problem.lines === 1 ? '' : 's'} dropped (${problem.code} on ${problem.path}) since ${problem.since}, last at ${problem.last}`;
    case 'state-not-saved':
      return `state file ${problem.path} not saved since ${problem.last_saved ?? 'the start'} (${problem.code} since ${problem.since}); retrying`;
  }
}
