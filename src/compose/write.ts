/** Writes a generated stack to disk: the only I/O of the generator. */
import fs from 'node:fs/promises';
import path from 'node:path';
import { writeAtomicSync } from '../support/atomic-write.js';
import type { StackPlan } from '../plan/types.js';
import type { GeneratedFile } from '../services/types.js';
import type { GeneratedStack } from './generate.js';

/**
 * Files are written atomically and 0600, folders 0700 (they name secrets'
 * variables and hold the control socket). Working folders are created, never emptied.
 */
export async function writeStack(plan: StackPlan, stack: GeneratedStack): Promise<GeneratedFile[]> {
  const files = await writeServiceFiles(plan, stack);
  return [...files, await writeComposeFile(plan, stack)];
}

/** What the processes need before they start: config files and working folders. */
export async function writeServiceFiles(plan: StackPlan, stack: GeneratedStack): Promise<readonly GeneratedFile[]> {
  await fs.mkdir(path.join(plan.stackDir, 'logs'), { recursive: true, mode: 0o700 });
  for (const file of stack.files) writeAtomicSync(file.path, file.content);
  for (const process of Object.values(stack.doc.processes)) await fs.mkdir(process.working_dir, { recursive: true, mode: 0o700 });
  return stack.files;
}

/** The compose file, for process-compose and for people. `up` writes it off the critical path. */
export async function writeComposeFile(plan: StackPlan, stack: GeneratedStack): Promise<GeneratedFile> {
  const { composeFile } = await import('./yaml.js'); // the yaml library costs ~50 ms to load
  const file = composeFile(plan, stack.doc);
  writeAtomicSync(file.path, file.content);
  return file;
}
