/** Find an executable on a PATH string (the one in Settings.env, not process.env). */
import fs from 'node:fs/promises';
import path from 'node:path';

/**
 * The first executable file named `command` on `pathValue`. Empty and relative entries are
 * skipped (they mean "the current directory"), as are `skipDirs`: `.dep/` itself must never
 * satisfy its own lookup.
 */
export async function findOnPath(command: string, pathValue: string | undefined, skipDirs: readonly string[] = []): Promise<string | undefined> {
  const skip = new Set(skipDirs.map((dir) => path.resolve(dir)));
  for (const dir of (pathValue ?? '').split(path.delimiter)) {
    if (!dir || !path.isAbsolute(dir) || skip.has(path.resolve(dir))) continue;
    const candidate = path.join(dir, command);
    if (await isExecutableFile(candidate)) return candidate;
  }
  return undefined;
}

async function isExecutableFile(file: string): Promise<boolean> {
  try {
    const stat = await fs.stat(file);
    if (!stat.isFile()) return false;
    await fs.access(file, fs.constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
