/**
 * What `core apply`, `restart`, `start` and `up` on a running stack take in a
 * process-compose project: its files loaded again as `core up -f` recorded them
 * (pc-stack.ts), as they are now. Any problem is exit 2 before the stack is asked.
 */
import type { DesiredStack } from '../../engines/engine.js';
import { IssuesError } from '../../support/errors.js';
import { readPcRecord } from '../../support/pc-stack.js';
import type { Settings } from '../../support/settings.js';
import type { CliContext } from '../context.js';
import { loadPc } from './project.js';

export async function desiredPc(ctx: CliContext, settings: Settings, names: readonly string[], warn = true): Promise<DesiredStack> {
  const record = readPcRecord(settings.root);
  const { record: _, ...stack } = await loadPc(ctx, record, record.cwd, warn);
  const unknown = names.filter((name) => !stack.generated.doc.processes[name]);
  if (unknown.length) throw new IssuesError(unknown.map((name) => ({ file: record.files[0] ?? settings.root, path: `processes.${name}`, message: 'no such process' })));
  return stack;
}
