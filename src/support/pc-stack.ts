/**
 * A process-compose project run with `core up -f` has no `services/`: its
 * `.core-stack/` (beside the first file) holds a record of how it was loaded,
 * `pc-project.json`. That record is what makes the folder a project for the
 * other commands (`core status`, `logs`, `down`, `restart`, `events`, `apply`
 * run there find the stack; load-settings.ts), and what `apply`/`restart`
 * reload the files with. No zod or YAML here: every command's start-up reads it.
 */
import fs from 'node:fs';
import path from 'node:path';
import { writeAtomicSync } from './atomic-write.js';
import { InputError } from './errors.js';
import { parseSettings, type Settings } from './settings.js';

export const PC_STACK_DIR = '.core-stack';
export const PC_RECORD = 'pc-project.json';

/** How `core up -f` loaded the project: absolute paths, so any folder can reload it. */
export interface PcRecord {
  readonly version: 1;
  readonly files: readonly string[];
  readonly envFiles: readonly string[];
  readonly namespaces: readonly string[];
  readonly processes: readonly string[];
  readonly noDeps: boolean;
  /** Where `core up -f` ran: process-compose reads the default `.env` and runs a process with no working_dir there. */
  readonly cwd: string;
}

export function pcRecordPath(projectDir: string): string {
  return path.join(projectDir, PC_STACK_DIR, PC_RECORD);
}

/** Whether `dir` is the folder of a process-compose project core has run (a folder with `services/` is a core project). */
export function isPcProject(dir: string): boolean {
  return fs.existsSync(pcRecordPath(dir)) && !fs.existsSync(path.join(dir, 'services'));
}

export function readPcRecord(projectDir: string): PcRecord {
  const file = pcRecordPath(projectDir);
  try {
    const record = JSON.parse(fs.readFileSync(file, 'utf8')) as PcRecord;
    if (record.version !== 1 || !Array.isArray(record.files)) throw new Error('not a record of version 1');
    return record;
  } catch (error) {
    throw new InputError('bad-pc-record', `${file}: ${(error as Error).message}; run \`core up -f FILE\` again`);
  }
}

export function writePcRecord(projectDir: string, record: PcRecord): void {
  fs.mkdirSync(path.join(projectDir, PC_STACK_DIR), { recursive: true, mode: 0o700 });
  writeAtomicSync(pcRecordPath(projectDir), `${JSON.stringify(record, null, 2)}\n`);
}

/**
 * Settings of a process-compose project: root is its folder, and core reads no
 * `.env` of its own there (the project's `.env` is process-compose's, for its
 * `${VAR}`s: the loader reads it). The stack folder is always `.core-stack/`
 * beside the first file, so the other commands find it; the topology
 * controller is a core-project feature (PocketBase records), off here.
 */
export function pcSettings(projectDir: string, processEnv: Readonly<Record<string, string | undefined>>): Settings {
  const settings = parseSettings({ root: projectDir, processEnv, dotenv: {} });
  return { ...settings, stackDir: path.join(settings.root, PC_STACK_DIR), controller: false };
}
