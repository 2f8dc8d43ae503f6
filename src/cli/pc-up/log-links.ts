/**
 * `core logs` reads `.core-stack/logs/<process>.log` (and its `.idx` of arrival
 * times); a process-compose process with its own `log_location` is logged there
 * instead, so its name in the logs folder is a link to it, made before it starts.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { ComposeDoc } from '../../compose/schema.js';

export function linkLogs(logsDir: string, doc: ComposeDoc): void {
  fs.mkdirSync(logsDir, { recursive: true, mode: 0o700 });
  for (const [name, proc] of Object.entries(doc.processes)) {
    const own = path.join(logsDir, `${name}.log`);
    for (const suffix of ['', '.idx']) {
      const link = `${own}${suffix}`;
      // A link of an earlier run goes (its file may have moved); a real log of one without log_location stays.
      if (fs.lstatSync(link, { throwIfNoEntry: false })?.isSymbolicLink()) fs.rmSync(link);
      if (proc.log_location && path.resolve(proc.log_location) !== own) fs.symlinkSync(`${proc.log_location}${suffix}`, link);
    }
  }
}
