/**
 * natefinch/lumberjack v2.2.1 (lumberjack.go), which process-compose puts under
 * a log with `log_configuration.rotation` (LocalTime: true): written by hand
 * because the npm rotators (rotating-file-stream, file-stream-rotator, winston's)
 * name, trigger and prune differently, and the files a process-compose user
 * finds must be the ones lumberjack leaves:
 *
 * - The file is opened at the first write, appended to (never truncated), and
 *   rotated first if that write would reach `max_size_mb` (default 100).
 * - A write that would pass the size rotates first: the file is renamed to
 *   `<name>-<local time 2006-01-02T15-04-05.000><ext>` beside it and a new one
 *   is made with the old one's mode (0600 for the first). A single line larger
 *   than the size is dropped.
 * - After a rotation (and at the first opening) old files are pruned in the
 *   background: beyond `max_backups` newest (counted by name, `.gz` or not),
 *   older than `max_age_days` by the time in their name (read as UTC, as
 *   lumberjack's time.Parse does, although it was written in local time), and
 *   the rest gzipped to `<backup>.gz` when `compress` (gzip by Node's zlib: the
 *   same content, a different header from Go's).
 */
import fs from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import zlib from 'node:zlib';
import { writeAll, type LineWriter, type OnDropped } from './files.js';
import { formatGoTime, localGoTime } from './go-time.js';

export interface Rotation {
  readonly max_size_mb?: number;
  readonly max_backups?: number;
  readonly max_age_days?: number;
  readonly compress?: boolean;
}

const BACKUP_TIME_FORMAT = '2006-01-02T15-04-05.000';
const COMPRESS_SUFFIX = '.gz';
const MEGABYTE = 1024 * 1024;
const DEFAULT_MAX_MB = 100;

export interface LumberjackWriter extends LineWriter {
  /** Resolves when no pruning or compression is running (tests wait for it). */
  idle(): Promise<void>;
}

/** `nowNs`: the clock backup names and ages are read from. */
export function openLumberjack(file: string, rotation: Rotation, onDropped: OnDropped, nowNs: () => bigint): LumberjackWriter {
  const max = (rotation.max_size_mb && rotation.max_size_mb > 0 ? rotation.max_size_mb : DEFAULT_MAX_MB) * MEGABYTE;
  const dir = path.dirname(file);
  let fd: number | undefined;
  let size = 0;
  let milling: Promise<void> = Promise.resolve();
  let millQueued = false;

  const openNew = () => {
    fs.mkdirSync(dir, { recursive: true, mode: 0o755 });
    let mode = 0o600;
    const info = fs.statSync(file, { throwIfNoEntry: false });
    if (info) {
      mode = info.mode & 0o7777;
      fs.renameSync(file, backupName(file, nowNs()));
    }
    fd = fs.openSync(file, fs.constants.O_CREAT | fs.constants.O_WRONLY | fs.constants.O_TRUNC, mode);
    size = 0;
  };
  const close = () => {
    const open = fd;
    fd = undefined;
    if (open !== undefined) fs.closeSync(open);
  };
  const rotate = () => {
    close();
    openNew();
    mill();
  };
  const openExistingOrNew = (length: number) => {
    mill();
    const info = fs.statSync(file, { throwIfNoEntry: false });
    if (!info) return openNew();
    if (info.size + length >= max) return rotate();
    try {
      fd = fs.openSync(file, fs.constants.O_APPEND | fs.constants.O_WRONLY);
      size = info.size;
    } catch {
      openNew();
    }
  };
  // One pruning at a time; asked again while one runs, one more follows (lumberjack's millCh of 1).
  const mill = () => {
    if (millQueued) return;
    millQueued = true;
    milling = milling.then(async () => {
      millQueued = false;
      await millRunOnce(file, rotation, nowNs()).catch(() => {
        // lumberjack drops a failed pruning's error too; the next rotation tries again.
      });
    });
  };

  return {
    write(line) {
      const buffer = Buffer.from(line);
      if (buffer.length > max) return onDropped(file, new Error(`write length ${buffer.length} exceeds maximum file size ${max}`), 1);
      try {
        if (fd === undefined) openExistingOrNew(buffer.length);
        if (size + buffer.length > max) rotate();
        writeAll(fd as number, buffer);
        size += buffer.length;
      } catch (error) {
        onDropped(file, error, 1);
      }
    },
    close() {
      try {
        close();
      } catch {
        // Nothing more is written to it.
      }
    },
    idle: async () => {
      let seen: Promise<void> | undefined;
      while (seen !== milling) {
        seen = milling;
        await seen;
      }
    },
  };
}

/** backupName: `<prefix>-<timestamp><ext>` beside the file, ext from the last dot of the base name (Go's filepath.Ext). */
export function backupName(file: string, nowNs: bigint): string {
  const { prefix, ext } = prefixAndExt(file);
  return path.join(path.dirname(file), `${prefix}-${formatGoTime(BACKUP_TIME_FORMAT, localGoTime(nowNs))}${ext}`);
}

function prefixAndExt(file: string): { prefix: string; ext: string } {
  const base = path.basename(file);
  const dot = base.lastIndexOf('.');
  const ext = dot >= 0 ? base.slice(dot) : '';
  return { prefix: base.slice(0, base.length - ext.length), ext };
}

interface Backup {
  readonly name: string;
  readonly time: number;
}

/** millRunOnce: remove beyond max_backups and past max_age_days, then compress what is left. */
export async function millRunOnce(file: string, rotation: Rotation, nowNs: bigint): Promise<void> {
  const maxBackups = rotation.max_backups ?? 0;
  const maxAge = rotation.max_age_days ?? 0;
  if (maxBackups <= 0 && maxAge <= 0 && !rotation.compress) return;
  const dir = path.dirname(file);
  let files = oldLogFiles(dir, file);
  const remove: Backup[] = [];
  if (maxBackups > 0 && maxBackups < files.length) {
    const preserved = new Set<string>();
    const remaining: Backup[] = [];
    for (const f of files) {
      preserved.add(f.name.endsWith(COMPRESS_SUFFIX) ? f.name.slice(0, -COMPRESS_SUFFIX.length) : f.name);
      if (preserved.size > maxBackups) remove.push(f);
      else remaining.push(f);
    }
    files = remaining;
  }
  if (maxAge > 0) {
    const cutoff = Number(nowNs / 1_000_000n) - maxAge * 24 * 3600 * 1000;
    remove.push(...files.filter((f) => f.time < cutoff));
    files = files.filter((f) => f.time >= cutoff);
  }
  const compress = rotation.compress ? files.filter((f) => !f.name.endsWith(COMPRESS_SUFFIX)) : [];
  for (const f of remove) await fs.promises.rm(path.join(dir, f.name), { force: true });
  for (const f of compress) await compressFile(path.join(dir, f.name));
}

/** oldLogFiles: backups of `file` in its folder, newest first by the time in their names. */
function oldLogFiles(dir: string, file: string): Backup[] {
  const { prefix, ext } = prefixAndExt(file);
  const out: Backup[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    if (entry.isDirectory()) continue;
    const time = timeFromName(entry.name, `${prefix}-`, ext) ?? timeFromName(entry.name, `${prefix}-`, `${ext}${COMPRESS_SUFFIX}`);
    if (time !== undefined) out.push({ name: entry.name, time });
  }
  return out.sort((a, b) => b.time - a.time);
}

/** time.Parse("2006-01-02T15-04-05.000", …) of the part between prefix and ext: UTC epoch ms, or undefined. */
function timeFromName(name: string, prefix: string, ext: string): number | undefined {
  if (!name.startsWith(prefix) || !name.endsWith(ext) || name.length < prefix.length + ext.length) return undefined;
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2})-(\d{2})-(\d{2})\.(\d{3})$/.exec(name.slice(prefix.length, name.length - ext.length));
  if (!m) return undefined;
  const [year, month, day, hour, minute, second, ms] = m.slice(1).map(Number) as [number, number, number, number, number, number, number];
  const time = Date.UTC(year, month - 1, day, hour, minute, second, ms);
  const back = new Date(time);
  // Go refuses an out-of-range field (month 13, day 31 of a 30-day month, hour 24) rather than rolling it over.
  if (back.getUTCMonth() !== month - 1 || back.getUTCDate() !== day || hour > 23 || minute > 59 || second > 59) return undefined;
  return time;
}

/** compressLogFile: `<src>.gz` with the source's mode, then the source removed; a failed one leaves no `.gz`. */
async function compressFile(src: string): Promise<void> {
  const dst = `${src}${COMPRESS_SUFFIX}`;
  const mode = (await fs.promises.stat(src)).mode & 0o7777;
  try {
    await pipeline(fs.createReadStream(src), zlib.createGzip(), fs.createWriteStream(dst, { mode }));
  } catch (error) {
    await fs.promises.rm(dst, { force: true });
    throw error;
  }
  await fs.promises.rm(src);
}
