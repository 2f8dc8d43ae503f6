/** Writes a generated stack to disk: the only I/O of the generator. */
import fs from 'node:fs/promises';
import path from 'node:path';
import type { StackPlan } from '../plan/types.js';
import type { GeneratedFile } from '../services/types.js';
import type { GeneratedStack } from './generate.js';
import { composeFile } from './yaml.js';

/**
 * Each file is written to a temporary name and renamed, so a reader never sees
 * half a file; files are 0600 and folders 0700 (they may name secrets' variables
 * and hold the control socket). Working folders are created, never emptied.
 */
export async function writeStack(plan: StackPlan, stack: GeneratedStack): Promise<GeneratedFile[]> {
  await fs.mkdir(plan.stackDir, { recursive: true, mode: 0o700 });
  await fs.mkdir(path.join(plan.stackDir, 'logs'), { recursive: true, mode: 0o700 });
  const files = [...stack.files, composeFile(plan, stack.doc)];
  for (const file of files) await writeAtomic(file.path, file.content);
  for (const process of Object.values(stack.doc.processes)) await fs.mkdir(process.working_dir, { recursive: true, mode: 0o700 });
  return files;
}

export async function writeAtomic(file: string, content: string): Promise<void> {
  await fs.mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  const temporary = `${file}.${process.pid}.tmp`;
  try {
    await fs.writeFile(temporary, content, { mode: 0o600 });
    await fs.rename(temporary, file);
  } catch (error) {
    await fs.rm(temporary, { force: true });
    throw error;
  }
}
