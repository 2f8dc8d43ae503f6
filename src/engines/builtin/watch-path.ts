/**
 * One watched path of `process.watch`, which may come and go: a `dist/` built
 * after the stack starts, a folder a build deletes and makes again. Besides
 * the path itself (a folder recursively; a file through its folder, since
 * editors replace a file on save), the nearest existing folder above it is
 * watched (not recursively): an entry made, removed or replaced there makes
 * this look again, so the path is attached when it appears and re-attached
 * when it is made anew (which the old watch would never see). "Anew" is a
 * new inode number or a new birth time: ext4 hands a folder removed and made
 * again at once the same inode number (measured: 200 times out of 200).
 * Its appearing, going or being replaced counts as a change.
 */
import fs from 'node:fs';
import path from 'node:path';

export interface PathWatchOptions {
  /** Absolute. */
  readonly target: string;
  /** A change under the target (a file inside a watched folder, or the watched file): absolute, and relative to the target ('' for the target itself). */
  readonly changed: (file: string, rel: string) => void;
  /** A line for the supervisor's log (and the foreground). */
  readonly note: (line: string) => void;
  /** How a path is named in a note (relative to the project root). */
  readonly show?: (file: string) => string;
}

export interface PathWatch {
  close(): void;
}

type Kind = 'dir' | 'file' | undefined;

function statOf(file: string): fs.Stats | undefined {
  try {
    return fs.statSync(file);
  } catch {
    return undefined;
  }
}

/** Which folder this is: its inode number alone is reused at once (ext4), its birth time is not. */
function identity(stats: fs.Stats): string {
  return `${stats.ino}:${stats.birthtimeMs}`;
}

/** The nearest folder above `file` that exists (at worst the filesystem's root). */
export function nearestFolder(file: string): string {
  let dir = path.dirname(file);
  while (!statOf(dir)?.isDirectory()) {
    const up = path.dirname(dir);
    if (up === dir) return dir;
    dir = up;
  }
  return dir;
}

export function watchPath({ target, changed, note, show = (file) => file }: PathWatchOptions): PathWatch {
  let closed = false;
  let anchor: { dir: string; watcher: fs.FSWatcher | undefined } | undefined;
  let inner: { id: string; watcher: fs.FSWatcher | undefined } | undefined;
  let present: Kind;
  let failed = false; // out of inotify watches: said once, not retried on every event

  const open = (dir: string, recursive: boolean, onEvent: (rel: string) => void): fs.FSWatcher | undefined => {
    try {
      const watcher = fs.watch(dir, { recursive, persistent: false }, (_type, filename) => onEvent(filename ? filename.toString().split(path.sep).join('/') : ''));
      watcher.on('error', (error: NodeJS.ErrnoException) => {
        watcher.close();
        // A watched folder removed: look again (it may be there anew, or its folder is watched for it).
        if (error.code === 'ENOENT' || error.code === 'EPERM') setImmediate(() => look());
        else note(`cannot watch ${show(dir)}: ${error.message}; no longer watched`);
      });
      return watcher;
    } catch (error) {
      if (!failed) note(`cannot watch ${show(dir)}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
      failed = true;
      return undefined;
    }
  };

  const look = (initial = false): void => {
    if (closed) return;
    const stats = statOf(target);
    const kind: Kind = stats ? (stats.isDirectory() ? 'dir' : 'file') : undefined;
    const dir = nearestFolder(target);
    if (anchor?.dir !== dir) {
      anchor?.watcher?.close();
      anchor = { dir, watcher: open(dir, false, (rel) => onAnchor(dir, rel)) };
    }
    const id = stats ? identity(stats) : '';
    const replaced = kind === 'dir' && inner !== undefined && inner.id !== id;
    if (kind === 'dir' && (!inner || replaced)) {
      inner?.watcher?.close();
      inner = { id, watcher: open(target, true, (rel) => (rel ? changed(path.join(target, rel), rel) : look())) };
    } else if (kind !== 'dir' && inner) {
      inner.watcher?.close();
      inner = undefined;
    }
    if (initial && !kind) note(`${show(target)} does not exist yet; watching ${show(dir)} until it does`);
    else if (!initial && (kind !== present || replaced)) {
      if (!kind) note(`${show(target)} was removed; watching ${show(dir)} until it is back`);
      changed(target, '');
    }
    present = kind;
  };

  const onAnchor = (dir: string, rel: string): void => {
    // The watched file itself, in its own folder: written in place (no new entry, nothing for `look` to see).
    if (present === 'file' && dir === path.dirname(target) && rel === path.basename(target)) changed(target, '');
    look();
  };

  look(true);
  return {
    close: () => {
      closed = true;
      anchor?.watcher?.close();
      inner?.watcher?.close();
    },
  };
}
