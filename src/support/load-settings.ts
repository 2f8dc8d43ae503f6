/** The one place that reads `.env` and `process.env` (see settings.ts). */
import fs from 'node:fs';
import path from 'node:path';
import { parse as parseDotenv } from 'dotenv';
import { InputError } from './errors.js';
import { parseSettings, type Settings } from './settings.js';

/** The project root: CORE_ROOT, else the nearest folder up from cwd that holds `services/`, else cwd. */
export function findRoot(cwd: string, processEnv: Readonly<Record<string, string | undefined>>): string {
  if (processEnv.CORE_ROOT) return path.resolve(cwd, processEnv.CORE_ROOT);
  for (let dir = path.resolve(cwd); ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, 'services'))) return dir;
    if (path.dirname(dir) === dir) return path.resolve(cwd);
  }
}

export function loadSettings(
  cwd: string,
  processEnv: Readonly<Record<string, string | undefined>>,
): Settings {
  const root = findRoot(cwd, processEnv);
  const file = path.join(root, '.env');
  let dotenv: Record<string, string> = {};
  try {
    dotenv = parseDotenv(fs.readFileSync(file));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'ENOENT') throw new InputError('bad-env-file', `${file}: cannot read: ${(error as Error).message}`);
  }
  return parseSettings({ root, processEnv, dotenv });
}
