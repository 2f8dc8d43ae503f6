/** Temp folders of process-compose files for the loader's unit tests. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach } from 'vitest';
import { ComposeDocSchema } from '../../src/compose/schema.js';
import { loadPcProject, type PcLoadOptions, type PcLoadResult } from '../../src/pc-project/index.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

/** A temp folder holding `files` (name → content); removed after the test. */
export function pcDir(files: Record<string, string>): string {
  const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'pc-load-')));
  dirs.push(dir);
  for (const [name, content] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), content);
  }
  return dir;
}

/** loadPcProject in `cwd` with a small, fixed OS environment. */
export function load(cwd: string, options: Partial<PcLoadOptions> = {}): PcLoadResult {
  return loadPcProject({
    files: [],
    envFiles: [],
    namespaces: [],
    processes: [],
    noDeps: false,
    cwd,
    ...options,
    env: { PATH: process.env.PATH, HOME: '/home/tester', ...options.env },
  });
}

export function loadOk(cwd: string, options: Partial<PcLoadOptions> = {}) {
  const result = load(cwd, options);
  if (!result.ok) throw new Error(`expected ok, got: ${JSON.stringify(result.issues)}`);
  // Every document the loader gives must be one the built-in engine takes.
  const checked = ComposeDocSchema.safeParse(result.doc);
  if (!checked.success) throw new Error(`not a ComposeDoc: ${checked.error.message}`);
  return result;
}

export function loadFail(cwd: string, options: Partial<PcLoadOptions> = {}) {
  const result = load(cwd, options);
  if (result.ok) throw new Error(`expected issues, got ok with warnings ${JSON.stringify(result.warnings)}`);
  return result.issues;
}
