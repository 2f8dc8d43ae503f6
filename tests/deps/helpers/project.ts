/** A throw-away project and user cache for one test, and a look at what is left in them. */
import type { Dirent } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseSettings, type Settings } from '../../../src/support/settings.js';

export interface TempProject {
  readonly dir: string;
  readonly settings: Settings;
  /** A folder for fixture programs; put it on PATH through `env`. */
  readonly bin: string;
  cleanup(): Promise<void>;
}

/** `env` adds to (or replaces) PATH=<dir>/bin, HOME=<dir>, XDG_CACHE_HOME=<dir>/cache. */
export async function tempProject(env: Record<string, string> | ((dir: string) => Record<string, string> | Promise<Record<string, string>>) = {}): Promise<TempProject> {
  const dir = await fs.realpath(await fs.mkdtemp(path.join(os.tmpdir(), 'core-deps-')));
  const bin = path.join(dir, 'bin');
  await fs.mkdir(bin);
  await fs.mkdir(path.join(dir, 'project'));
  const settings = parseSettings({
    root: path.join(dir, 'project'),
    processEnv: { PATH: bin, HOME: dir, XDG_CACHE_HOME: path.join(dir, 'cache'), GOTELEMETRY: 'off', ...(typeof env === 'function' ? await env(dir) : env) },
    homeDir: dir,
  });
  // Retries: a go process may still be finishing writes under HOME when a test ends.
  return { dir, settings, bin, cleanup: () => fs.rm(dir, { recursive: true, force: true, maxRetries: 5 }) };
}

/** Every file (not folder) under `dir`, relative, sorted; [] if `dir` does not exist. */
export async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (current: string) => {
    let entries: Dirent[];
    try {
      entries = await fs.readdir(current, { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries) {
      const full = path.join(current, entry.name);
      if (entry.isDirectory()) await walk(full);
      else out.push(path.relative(dir, full));
    }
  };
  await walk(dir);
  return out.sort();
}

export async function writeScript(file: string, text: string): Promise<void> {
  await fs.writeFile(file, text, { mode: 0o755 });
}
