/** Writes a generated stack to disk: the only I/O of the generator. */
import fs from 'node:fs/promises';
import path from 'node:path';
import { writeAtomicSync } from '../support/atomic-write.js';
import type { StackPlan } from '../plan/types.js';
import type { GeneratedFile } from '../services/types.js';
import type { GeneratedStack } from './generate.js';
import { composeFile } from './yaml.js';

/**
 * Files are written atomically and 0600, folders 0700 (they name secrets'
 * variables and hold the control socket). Working folders are created, never emptied.
 */
export async function writeStack(plan: StackPlan, stack: GeneratedStack): Promise<GeneratedFile[]> {
  await fs.mkdir(plan.stackDir, { recursive: true, mode: 0o700 });
  await fs.mkdir(path.join(plan.stackDir, 'logs'), { recursive: true, mode: 0o700 });
  const files = [...stack.files, composeFile(plan, stack.doc)];
  for (const file of files) writeAtomicSync(file.path, file.content);
  for (const process of Object.values(stack.doc.processes)) await fs.mkdir(process.working_dir, { recursive: true, mode: 0o700 });
  return files;
}
