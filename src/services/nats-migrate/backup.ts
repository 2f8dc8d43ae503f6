/**
 * The backup folder a topology change writes before it touches a NATS
 * server: `<data>/nats/migrations/<timestamp>/`, 0700, files 0600. It is
 * written under a hidden name and renamed when complete, so a folder with a
 * `backup.json` is always whole; core never deletes one (the user does, once
 * the new topology has proven itself).
 *
 *   backup.json               what was read: every stream's config, state and durable consumers
 *   streams/<n>.jsonl         one message a line, in stream order
 */
import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';

export const BACKUP_VERSION = 1;

/** One message as read: the original sequence and time, subject, headers, payload (base64). */
export interface BackupMessage {
  readonly seq: number;
  /** When the original server stored it, RFC 3339 (JetStream gives a republished message a new time). */
  readonly time: string;
  readonly subject: string;
  /** Header name → values, as sent; absent when the message had none. */
  readonly headers?: Readonly<Record<string, readonly string[]>>;
  readonly data: string;
}

export interface BackupConsumer {
  /** The consumer's config as the server reported it. */
  readonly config: Readonly<Record<string, unknown>>;
  /** The stream sequence below which everything was acknowledged (0: nothing). */
  readonly ack_floor: number;
}

export interface BackupStream {
  readonly name: string;
  /** The stream's config as the server reported it (raw JSON, durations in nanoseconds). */
  readonly config: Readonly<Record<string, unknown>>;
  readonly messages: number;
  readonly first_seq: number;
  readonly last_seq: number;
  readonly consumers: readonly BackupConsumer[];
  /** Relative to the backup folder. */
  readonly file: string;
}

export interface BackupIndex {
  readonly version: typeof BACKUP_VERSION;
  readonly created_at: string;
  /** The processes the streams were read from (`nats`, or `nats-1`…). */
  readonly source: readonly string[];
  readonly streams: readonly BackupStream[];
}

export const INDEX_FILE = 'backup.json';

/** `<data>/nats/migrations`, given the NATS service's base store folder. */
export function migrationsDir(storeBase: string): string {
  return path.join(storeBase, 'migrations');
}

/** A folder name that sorts by time and never clashes with one made the same millisecond. */
export function backupName(now: Date): string {
  const stamp = now.toISOString().replace(/[:.]/g, '-');
  return `${stamp}-${process.pid}`;
}

/** A backup being written: messages are appended stream by stream, then `finish` makes it visible. */
export class BackupWriter {
  private readonly partial: string;
  private index = 0;

  constructor(
    private readonly root: string,
    readonly name: string,
  ) {
    fs.mkdirSync(root, { recursive: true, mode: 0o700 });
    this.partial = path.join(root, `.${name}.partial`);
    fs.mkdirSync(path.join(this.partial, 'streams'), { recursive: true, mode: 0o700 });
  }

  /** The folder it will be once finished. */
  get dir(): string {
    return path.join(this.root, this.name);
  }

  /** A file for the next stream's messages; `write` each, then `close`. */
  openStream(): { readonly file: string; write(message: BackupMessage): void; close(): void } {
    const file = path.join('streams', `${String(this.index++).padStart(4, '0')}.jsonl`);
    const fd = fs.openSync(path.join(this.partial, file), 'wx', 0o600);
    let buffered: string[] = [];
    const flush = () => {
      if (buffered.length) fs.writeSync(fd, buffered.join(''));
      buffered = [];
    };
    return {
      file,
      write: (message) => {
        buffered.push(`${JSON.stringify(message)}\n`);
        if (buffered.length >= 256) flush();
      },
      close: () => {
        flush();
        fs.fsyncSync(fd);
        fs.closeSync(fd);
      },
    };
  }

  /** Write the index and rename the folder into place: from now on it is a backup. */
  finish(index: BackupIndex): string {
    const file = path.join(this.partial, INDEX_FILE);
    fs.writeFileSync(file, `${JSON.stringify(index, null, 2)}\n`, { mode: 0o600, flag: 'wx' });
    const fd = fs.openSync(file, 'r');
    fs.fsyncSync(fd);
    fs.closeSync(fd);
    fs.renameSync(this.partial, this.dir);
    return this.dir;
  }

  /** An export that failed leaves no half backup behind (the source was only read). */
  abandon(): void {
    fs.rmSync(this.partial, { recursive: true, force: true });
  }
}

export function readBackupIndex(dir: string): BackupIndex {
  const index = JSON.parse(fs.readFileSync(path.join(dir, INDEX_FILE), 'utf8')) as BackupIndex;
  if (index.version !== BACKUP_VERSION || !Array.isArray(index.streams))
    throw new Error(`${path.join(dir, INDEX_FILE)}: not a core NATS backup (version ${String(index.version)})`);
  return index;
}

/** A stream's messages, in order, read a line at a time (a stream may not fit in memory). */
export async function* readMessages(dir: string, stream: BackupStream): AsyncGenerator<BackupMessage> {
  const lines = readline.createInterface({ input: fs.createReadStream(path.join(dir, stream.file), 'utf8'), crlfDelay: Number.POSITIVE_INFINITY });
  for await (const line of lines) if (line) yield JSON.parse(line) as BackupMessage;
}
