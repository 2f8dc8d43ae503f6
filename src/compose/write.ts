/** Writes a generated stack to disk: the only I/O of the generator. */
import { existsSync, readFileSync } from 'node:fs';
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
  // A file already as it should be is left alone: an apply on a full disk still works when nothing changed.
  for (const file of stack.files) if (!sameContent(file.path, file.content)) writeAtomicSync(file.path, file.content);
  for (const process of Object.values(stack.doc.processes)) await fs.mkdir(process.working_dir, { recursive: true, mode: 0o700 });
  return stack.files;
}

/**
 * For a running stack (an apply): only the files whose content changed, and
 * only working folders that are missing; the supervisor has its logs folder.
 * So an apply that changes nothing writes nothing (a full or read-only disk).
 */
export async function writeChangedServiceFiles(stack: GeneratedStack): Promise<void> {
  for (const file of stack.files) if (!sameContent(file.path, file.content)) writeAtomicSync(file.path, file.content);
  for (const process of Object.values(stack.doc.processes)) if (!existsSync(process.working_dir)) await fs.mkdir(process.working_dir, { recursive: true, mode: 0o700 });
}

function sameContent(file: string, content: string): boolean {
  try {
    return readFileSync(file, 'utf8') === content;
  } catch {
    return false;
  }
}

/** The compose file, for process-compose and for people. `up` writes it off the critical path. */
export async function writeComposeFile(plan: StackPlan, stack: GeneratedStack): Promise<GeneratedFile> {
  const { composeFile } = await import('./yaml.js'); // the yaml library costs ~50 ms to load
  const file = composeFile(plan, stack.doc);
  writeAtomicSync(file.path, file.content);
  return file;
}
