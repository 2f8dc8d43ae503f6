/** Where a command would be found: the spawner's pre-flight check and `validate` ask the same. */
import fs from 'node:fs';
import path from 'node:path';

export function isExecutable(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

/** Is `command` (a bare name) an executable in a folder of `searchPath`, relative folders taken from `cwd` as exec does? */
export function onPath(command: string, searchPath: string, cwd: string): boolean {
  return searchPath
    .split(path.delimiter)
    .filter(Boolean)
    .some((dir) => isExecutable(path.join(path.resolve(cwd, dir), command)));
}
