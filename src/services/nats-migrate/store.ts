/**
 * What a NATS store folder holds on disk, read without a server: nats-server
 * keeps each stream in `<store_dir>/jetstream/<account>/streams/<name>/`.
 * And the one move core makes in it: once a carry-over is verified, the old
 * store goes into the backup folder, whole (never deleted), so no later start
 * takes it for streams still to be carried.
 */
import fs from 'node:fs';
import path from 'node:path';

/** Stream names (`account/name`) in a store folder (the folder nats-server's `store_dir` names). */
export function streamsOnDisk(storeDir: string): string[] {
  const jetstream = path.join(storeDir, 'jetstream');
  const found: string[] = [];
  for (const account of subfolders(jetstream)) {
    for (const stream of subfolders(path.join(jetstream, account, 'streams'))) found.push(`${account}/${stream}`);
  }
  return found.sort();
}

/** The folders directly in `dir` (none when it is missing or unreadable). */
export function subfolders(dir: string): string[] {
  try {
    return fs
      .readdirSync(dir, { withFileTypes: true })
      .filter((e) => e.isDirectory())
      .map((e) => e.name);
  } catch {
    return [];
  }
}

/** Move `from` (a store's `jetstream` folder, or a process's store folder) into `<backup>/old-store/<label>`. */
export function moveAside(from: string, backupDir: string, label: string): string | undefined {
  if (!fs.existsSync(from)) return undefined;
  const to = path.join(backupDir, 'old-store', label);
  fs.mkdirSync(path.dirname(to), { recursive: true, mode: 0o700 });
  fs.renameSync(from, to);
  return to;
}
