/**
 * A process-compose project as the built-in engine's launcher and an apply take
 * it. The seam: a StackPlan is what core plans from its manifests (ports,
 * secrets, binaries, config files); a process-compose file has none of these,
 * so its plan has no services, and every part that reads the plan (state file
 * ports, per-process secrets, service files, port checks) has nothing to do.
 * The document alone says what runs.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { DesiredStack } from '../../engines/engine.js';
import type { StackPlan } from '../../plan/types.js';
import { InputError, IssuesError } from '../../support/errors.js';
import type { Settings } from '../../support/settings.js';
import { pcSettings, type PcRecord } from '../../support/pc-stack.js';
import type { CliContext } from '../context.js';
import { note } from '../output.js';
import { loadPcProject } from '../../pc-project/index.js';

/** The plan of a stack with no manifests. */
export function emptyPlan(settings: Settings, self: readonly string[]): StackPlan {
  return { root: settings.root, dataDir: settings.dataDir, stackDir: settings.stackDir, depDir: settings.depDir, services: [], self };
}

/** Loaded and checked, nothing started: any problem is exit 2 naming file and key. */
/** `warn`: print the loader's warnings (not where the files are read only for the dependency graph). */
export async function loadPc(ctx: CliContext, record: Omit<PcRecord, 'version' | 'cwd'>, cwd: string, warn = true): Promise<DesiredStack & { readonly record: PcRecord }> {
  const result = await loadPcProject({ ...record, env: ctx.env, cwd });
  if (!result.ok) throw new IssuesError(result.issues);
  if (warn) for (const w of result.warnings) note(`warning: ${w.path ? `${w.file}: ${w.path}: ${w.message}` : `${w.file}: ${w.message}`}`);
  if (fs.existsSync(path.join(result.projectDir, 'services')))
    throw new InputError(
      'core-project',
      `${result.projectDir} holds services/ of a core project: run the process-compose file from a folder of its own (its .core-stack/ would be the core project's)`,
    );
  const settings = pcSettings(result.projectDir, ctx.env);
  const absolute = (files: readonly string[]) => files.map((f) => path.resolve(cwd, f));
  return {
    settings,
    plan: emptyPlan(settings, ctx.self),
    // Values from env files: passed to each process, never written (the compose file holds their keys only).
    generated: { doc: result.doc, files: [], secrets: result.secrets },
    record: { version: 1, ...record, files: absolute(record.files), envFiles: absolute(record.envFiles), cwd },
  };
}
