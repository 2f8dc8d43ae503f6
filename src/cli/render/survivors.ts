/**
 * `core status` when no supervisor answers but processes of the stack still run
 * (found by their marks: control/survivors.ts): list them and point to
 * `core down`, exit 1. "not running" would be a lie.
 */
import { findSurvivors, type Survivor } from '../../control/survivors.js';
import { ExitCode } from '../../support/errors.js';
import { print, printJson } from '../output.js';
import { renderTable } from './table.js';

/** A command line longer than this is cut with "…" (all of it is in `--json`). */
const MAX_COMMAND = 100;

export function survivorsTable(survivors: readonly Survivor[]): string[] {
  const rows = [['PID', 'PROCESS', 'COMMAND'], ...survivors.map((s) => [String(s.pid), s.role === 'supervisor' ? '(supervisor)' : (s.service ?? '-'), s.command])];
  return renderTable(rows, { shrinkable: [2], cap: MAX_COMMAND });
}

/** Report the stack's survivors, if any (then true, with exit code 1). */
export function reportSurvivors(stackDir: string, json: boolean | undefined): boolean {
  const survivors = findSurvivors(stackDir);
  if (survivors.length === 0) return false;
  const message = `not running, but ${survivors.length} process${survivors.length === 1 ? '' : 'es'} of this stack ${survivors.length === 1 ? 'is' : 'are'} left; stop ${survivors.length === 1 ? 'it' : 'them'} with \`core down\``;
  process.exitCode = ExitCode.runtime;
  if (json) {
    const listed = survivors.map((s) => ({ pid: s.pid, process: s.role === 'supervisor' ? null : s.service, role: s.role, command: s.command }));
    printJson({ running: false, engine: null, supervisor_pid: null, processes: [], survivors: listed, message });
    return true;
  }
  print(message);
  for (const line of survivorsTable(survivors)) print(line);
  return true;
}
