/**
 * `core up` / `core apply` on a stack run by process-compose: write the new
 * compose file, have process-compose reload it (its own diff), and wait for
 * what it added or updated to be up. Secrets: process-compose keeps the
 * environment it was started with, so a changed secret needs `core down && core up`.
 */
import type { StackHandle } from '../../control/connect.js';
import type { GeneratedStack } from '../../compose/generate.js';
import { writeComposeFile, writeServiceFiles } from '../../compose/write.js';
import { attachedStack, reloadProcessCompose, waitProcessCompose } from '../../engines/process-compose.js';
import { RuntimeError } from '../../support/errors.js';
import type { LoadedStack } from '../load-stack.js';
import { print, printJson } from '../output.js';
import type { ApplyReport } from '../render/apply-report.js';

export async function applyWithProcessCompose(
  stack: LoadedStack,
  generated: GeneratedStack,
  handle: StackHandle,
  timeoutMs: number,
  options: { dryRun?: boolean; json?: boolean },
): Promise<ApplyReport> {
  if (options.dryRun) throw new RuntimeError('unsupported', 'process-compose has no dry run of an update; use the built-in engine, or `core generate --stdout` and compare');
  if (!handle.supervisor) throw new RuntimeError('not-running', 'process-compose is not running');
  const startedAt = performance.now();
  await writeServiceFiles(stack.plan, generated);
  await writeComposeFile(stack.plan, generated);
  const status = await reloadProcessCompose(handle.client, timeoutMs);
  const changed = Object.entries(status)
    .filter(([, s]) => s === 'added' || s === 'updated')
    .map(([name]) => name);
  const ready = changed.length
    ? await waitProcessCompose(attachedStack(handle.supervisor.pid, handle.client), generated.doc, changed, timeoutMs)
    : { ok: true as const, outcomes: [] };
  const totalMs = Math.round(performance.now() - startedAt);
  const processes = Object.entries(status).map(([name, s]) =>
    s === 'added' ? { name, action: 'add' as const } : s === 'removed' ? { name, action: 'remove' as const } : { name, action: 'replace' as const, reasons: [s], updates: [] },
  );
  const report: ApplyReport = {
    ok: ready.ok,
    diff: { processes, unchanged: processes.length === 0 },
    started: changed,
    stopped: Object.entries(status)
      .filter(([, s]) => s === 'removed')
      .map(([name]) => name),
    ...(ready.ok ? { outcomes: ready.outcomes } : { failure: ready }),
  };
  if (options.json) printJson({ ok: ready.ok, engine: 'process-compose', status, total_ms: totalMs });
  else {
    for (const [name, s] of Object.entries(status)) print(`${name} ${s}`);
    print(`applied by process-compose in ${totalMs} ms; ${Object.keys(generated.doc.processes).length - Object.keys(status).length} processes untouched`);
  }
  if (!ready.ok) throw new RuntimeError('not-ready', ready.message, ready.lastLines.length ? [`last log lines of ${ready.name}:`, ...ready.lastLines.map((l) => `  ${l}`)] : []);
  return report;
}
