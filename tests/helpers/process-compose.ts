/**
 * Where the interop tests find the real process-compose: CORE_TEST_PROCESS_COMPOSE
 * (a binary's path), else a `process-compose` on PATH. Without one they are
 * skipped, saying why: this machine's registries do not serve process-compose.
 */
import fs from 'node:fs';
import path from 'node:path';

function find(): string | undefined {
  const explicit = process.env.CORE_TEST_PROCESS_COMPOSE;
  if (explicit) return fs.existsSync(explicit) ? explicit : undefined;
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    const candidate = path.join(dir, 'process-compose');
    if (dir && fs.existsSync(candidate)) return candidate;
  }
  return undefined;
}

export const PROCESS_COMPOSE = find();

/** PATH for a test project, with process-compose's folder first. */
export function pathWithProcessCompose(): string {
  return [PROCESS_COMPOSE ? path.dirname(PROCESS_COMPOSE) : '', process.env.PATH ?? ''].filter(Boolean).join(path.delimiter);
}
