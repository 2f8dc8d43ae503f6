/** Text for people (progress lines, the table) and the stable JSON shape of `deps … --json`. Pure. */
import { formatElapsed } from './heartbeat.js';
import type { ListedBinary } from './list.js';
import type { ProvisionEvent, Provisioned } from './types.js';

/** A progress line for stderr, or undefined for events not worth a line. */
export function formatEvent(event: ProvisionEvent): string | undefined {
  switch (event.type) {
    case 'attempt':
      // Quick sources speak only when they fail; the slow ones announce themselves.
      if (event.source === 'go-install') return `${event.name}: building: ${event.detail} (this can take minutes)`;
      if (event.source === 'download') return `${event.name}: downloading ${event.detail}`;
      return undefined;
    case 'skipped':
      return `${event.name}: ${event.failure.source}: ${event.failure.message}`;
    case 'progress':
      return `${event.name}: … ${event.detail}`;
    case 'provisioned':
      return event.elapsedMs >= 1000 ? `${event.binary.name}: ready after ${formatElapsed(event.elapsedMs)}` : undefined;
  }
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
  const rows = binaries.map((b) => [
    b.name,
    b.version ?? '-',
    b.status === 'ok' ? sourceLabel(b) : b.status,
    b.target ? `${b.path} -> ${b.target}` : b.path,
  ]);
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
  return b.origin ? `${b.source} (${b.origin})` : (b.source ?? '?');
}
