/** The one place that reads `.env` and `process.env` (see settings.ts). */
import fs from 'node:fs';
import path from 'node:path';
import { parse as parseDotenv } from 'dotenv';
import { scanDotenv } from './dotenv-scan.js';
import { InputError } from './errors.js';
import { readInputFile } from './read-input.js';
import { isPcProject, pcSettings } from './pc-stack.js';
import { parseSettings, type Settings } from './settings.js';

/**
 * The project root: CORE_ROOT, else the nearest folder up from cwd that holds
 * `services/` (as git finds `.git`), or the `.core-stack/pc-project.json` of a
 * process-compose project `core up -f` ran (pc-stack.ts). None: an error naming where it looked, never
 * a silent cwd (a `core status` from elsewhere would say "not running" of a running stack).
 */
export function findRoot(cwd: string, processEnv: Readonly<Record<string, string | undefined>>): string {
  if (processEnv.CORE_ROOT) return path.resolve(cwd, processEnv.CORE_ROOT);
  const start = path.resolve(cwd);
  for (let dir = start; ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, 'services')) || isPcProject(dir)) return dir;
    if (path.dirname(dir) === dir)
      throw new InputError(
        'no-project',
        `no core project here or above (looked for services/ or .core-stack/pc-project.json from ${start} up to ${dir}); run \`core init\`, \`core up -f FILE\` or set CORE_ROOT`,
      );
  }
}

/**
 * Largest `.env` read (8 MiB). Larger than anything a process can be given
 * (see spawn-limits.ts), so an oversized value is still read and then named,
 * while a runaway file is refused unread.
 */
export const DOTENV_MAX_BYTES = 8 * 1024 * 1024;

/** Warnings already printed by this process: several commands load settings twice. */
const warned = new Set<string>();

function warnOnce(line: string): void {
  if (warned.has(line)) return;
  warned.add(line);
  process.stderr.write(`core: warning: ${line}\n`);
}

export function loadSettings(cwd: string, processEnv: Readonly<Record<string, string | undefined>>, warn: (line: string) => void = warnOnce): Settings {
  const root = findRoot(cwd, processEnv);
  // A process-compose project (no services/): its .env is the loader's, not core's.
  if (isPcProject(root)) return pcSettings(root, processEnv);
  const file = path.join(root, '.env');
  const read = readInputFile(file, DOTENV_MAX_BYTES);
  if (!read.ok && !read.missing) throw new InputError('bad-env-file', `${file}: ${read.problem}`);
  const text = read.ok ? read.text : '';
  const dotenv = parseDotenv(text);
  const scan = scanDotenv(text);
  for (const { key, line } of scan.cut) {
    // The value is never shown: it may be a password, and the name says enough.
    if (processEnv[key] === undefined)
      warn(`${file}:${line}: ${key}: an unquoted '#' starts a comment, so the value is cut short there; quote the value to keep it (${key}="...#...")`);
  }
  return parseSettings({ root, processEnv, dotenv, dotenvLines: scan.lines });
}
