/** Write-then-rename, so a reader never sees half a file. Files are 0600. */
import fs from 'node:fs';
import path from 'node:path';

export function writeAtomicSync(file: string, content: string): void {
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const temporary = `${file}.${process.pid}.tmp`;
  try {
    fs.writeFileSync(temporary, content, { mode: 0o600 });
    fs.renameSync(temporary, file);
  } catch (error) {
    try {
      fs.rmSync(temporary, { force: true });
    } catch {
      // A read-only folder holds no half-written file; report the write's own error.
    }
    throw error;
  }
}
