/** Run the built CLI in a throw-away project made from core init's templates. */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { REPO, TEMPLATES } from './stack.js';

export const CORE = path.join(REPO, 'dist/core.js');

export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** The environment the CLI runs with in tests: PATH and HOME (the binary cache) only, the project as its root, and `env`. */
export function coreEnv(cwd: string, env?: Record<string, string>): Record<string, string> {
  return { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', CORE_ROOT: cwd, ...env };
}

export function runCore(args: readonly string[], options: { cwd: string; env?: Record<string, string>; timeoutMs?: number }): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CORE, ...args], { cwd: options.cwd, env: coreEnv(options.cwd, options.env), timeout: options.timeoutMs ?? 15_000 }, (error, stdout, stderr) =>
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr }),
    );
  });
}

/** A temp project with the default manifests (templates/services); `edit` changes one manifest's JSON. */
export function makeProject(edits: Record<string, (manifest: any) => unknown> = {}): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'core-test-'));
  fs.cpSync(TEMPLATES, path.join(dir, 'services'), { recursive: true });
  for (const [service, edit] of Object.entries(edits)) {
    const file = path.join(dir, 'services', service, 'service.json');
    const manifest = fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, 'utf8')) : {};
    const result = edit(manifest);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, typeof result === 'string' ? result : JSON.stringify(result ?? manifest, null, 2));
  }
  return dir;
}
