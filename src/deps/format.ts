/** Text for people (progress lines, the table) and the stable JSON shape of `deps … --json`. Pure. */
import { formatElapsed } from './heartbeat.js';
import type { ListedBinary } from './list.js';
import type { ProvisionEvent, Provisioned, SourceType } from './types.js';

/**
 * Progress for stderr. Quick sources speak only when they matter: a failed PATH check
 * followed by a cache hit is silent, but before a download or a build the lines saying
 * why (not on PATH, not cached) are shown. On total failure the error lists them all.
 */
export function createProgressRenderer(write: (line: string) => void): (event: ProvisionEvent) => void {
  const pending = new Map<string, string[]>();
  return (event) => {
    switch (event.type) {
      case 'attempt': {
        const line = formatAttempt(event.name, event.source, event.detail);
        if (!line) return;
        for (const skipped of pending.get(event.name) ?? []) write(skipped);
        pending.delete(event.name);
        write(line);
        return;
      }
      case 'skipped': {
        const line = `${event.name}: ${event.failure.source}: ${event.failure.message}`;
        pending.set(event.name, [...(pending.get(event.name) ?? []), line]);
        // A slow source's failure is news on its own.
        if (event.failure.source === 'download' || event.failure.source === 'go-install') {
          for (const skipped of pending.get(event.name) ?? []) write(skipped);
          pending.delete(event.name);
        }
        return;
      }
      case 'progress':
        write(`${event.name}: … ${event.detail}`);
        return;
      case 'provisioned':
        pending.delete(event.binary.name);
        if (event.elapsedMs >= 1000) write(`${event.binary.name}: ready after ${formatElapsed(event.elapsedMs)}`);
        return;
    }
  };
}

function formatAttempt(name: string, source: SourceType, detail: string): string | undefined {
  if (source === 'go-install') return `${name}: building: ${detail} (this can take minutes)`;
  if (source === 'download') return `${name}: downloading ${detail}`;
  return undefined;
}

export function listedFromProvisioned(binary: Provisioned, pinned: string): ListedBinary {
  return {
    name: binary.name,
    pinned,
    status: 'ok',
    version: binary.version,
    source: binary.source,
    ...(binary.origin ? { origin: binary.origin } : {}),
    path: binary.path,
    target: binary.target,
  };
}

/** The `binaries` array of `--json`: the same shape for `install` and `list`. */
export function jsonBinaries(binaries: readonly ListedBinary[]): object[] {
  return binaries.map((b) => ({
    name: b.name,
    status: b.status,
    version: b.version ?? null,
    pinned: b.pinned,
    source: b.source ?? null,
    origin: b.origin ?? null,
    path: b.path,
    target: b.target ?? null,
  }));
}

/** One aligned row per binary: name, version, source, path → target. */
export function formatTable(binaries: readonly ListedBinary[]): string[] {
  const rows = binaries.map((b) => [b.name, b.version ?? '-', b.status === 'ok' ? sourceLabel(b) : b.status, b.target ? `${b.path} -> ${b.target}` : b.path]);
  const header = ['BINARY', 'VERSION', 'SOURCE', 'PATH'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => (row[i] ?? '').length)));
  return [header, ...rows].map((row) =>
    row
      .map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd(),
  );
}

function sourceLabel(b: ListedBinary): string {
  return b.source === 'cache' && b.origin ? `cache (${b.origin})` : (b.source ?? '?');
}
