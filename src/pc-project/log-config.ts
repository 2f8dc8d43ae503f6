/**
 * `log_configuration` (project or process) → the ComposeDoc's, which the
 * built-in engine writes `log_location` files with (engine/pc-log/). Go's zero
 * values mean "not set" there as here (false, 0, "", an empty list), so they are
 * left out. `rotation.directory` and `rotation.filename` are decoded by
 * process-compose and never read (pclog/logger_facade.go getRollingWriter uses
 * the log_location alone): a warning says so rather than leaving the user to
 * wonder where the file went.
 */
import type { ComposeLogConfiguration } from '../compose/schema.js';
import type { Findings } from './issues.js';
import type { PcLoggerConfig } from './schema.js';

export function toLogConfiguration(c: PcLoggerConfig | undefined, where: string, file: string, findings: Findings): ComposeLogConfiguration | undefined {
  if (!c) return undefined;
  const r = c.rotation;
  for (const key of ['directory', 'filename'] as const) {
    if (r?.[key]) findings.warn(file, `${where}.rotation.${key}`, `'rotation.${key}' is not read by process-compose (nor core): the log is written to log_location`);
  }
  const positive = (n: number | undefined) => (n !== undefined && n > 0 ? n : undefined);
  const rotation = r
    ? dropEmpty({ max_size_mb: positive(r.max_size_mb), max_backups: positive(r.max_backups), max_age_days: positive(r.max_age_days), compress: r.compress || undefined })
    : undefined;
  return dropEmpty({
    // A `rotation:` key, even empty, turns lumberjack on (a pointer that is set).
    rotation: r ? (rotation ?? {}) : undefined,
    fields_order: c.fields_order?.length ? c.fields_order : undefined,
    disable_json: c.disable_json || undefined,
    timestamp_format: c.timestamp_format || undefined,
    no_color: c.no_color || undefined,
    no_metadata: c.no_metadata || undefined,
    add_timestamp: c.add_timestamp || undefined,
    flush_each_line: c.flush_each_line || undefined,
  });
}

function dropEmpty<T extends Record<string, unknown>>(o: T): T | undefined {
  const kept = Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
  return Object.keys(kept).length > 0 ? (kept as T) : undefined;
}
