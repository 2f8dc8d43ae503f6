/**
 * `log_level` as zerolog.ParseLevel reads it (loader/validators.go
 * validateLogLevel): a name in any case, or a number from -128 to 127. Below
 * trace is trace for what reaches the log files; 6 (NoLevel) and above let
 * nothing through, as `disabled` does. Anything else is unknown (undefined):
 * process-compose warns and keeps info.
 */
import type { ComposeDoc } from '../compose/schema.js';

/** zerolog's level names, by number (log.go Level). */
const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'panic', 'disabled'] as const;
type LogLevel = NonNullable<ComposeDoc['log_level']>;

export function zerologLevel(value: string | undefined): LogLevel | undefined {
  if (value === undefined || value === '') return undefined;
  const name = value.toLowerCase();
  if (LOG_LEVELS.includes(name as LogLevel)) return name as LogLevel;
  const n = Number(value);
  if (!/^[+-]?\d+$/.test(value) || n > 127 || n < -128) return undefined;
  return n >= 6 ? 'disabled' : LOG_LEVELS[Math.max(n, -1) + 1];
}
