/**
 * process-compose's log files (`log_location`, project and process), opened as
 * its PCLog.Open does: the line format of `log_configuration` (format.ts), on a
 * truncated or rotating file (files.ts, lumberjack.ts). The engine opens one per
 * process with its own `log_location` and one for the project, which every
 * other process writes to (supervisor.ts).
 *
 * Two zerolog globals reach every file, so they live in the opener (one per
 * supervisor), not in each file: the log level (`log_level`, set by
 * process-compose with zerolog.SetGlobalLevel: below warn, stdout lines are
 * dropped; below error, stderr lines too), and TimeFieldFormat, which a file
 * opened with `add_timestamp` and `timestamp_format` sets for all files from
 * then on.
 */
import type { ComposeLogConfiguration } from '../../compose/schema.js';
import { openTruncated, type LineWriter, type OnDropped } from './files.js';
import { formatLine, type LogEntry } from './format.js';
import { localGoTime, RFC3339_NANO } from './go-time.js';
import { openLumberjack } from './lumberjack.js';

export type { LogEntry } from './format.js';

export interface PcLog {
  write(entry: LogEntry): void;
  close(): void;
}

export type OpenPcLog = (file: string, config: ComposeLogConfiguration | undefined) => PcLog;

export interface PcLogOptions {
  /** The project's `log_level` (zerolog's names); unset: info. */
  readonly level?: string | undefined;
  /** NO_COLOR in the engine's environment turns the console colours off, as in process-compose's. */
  readonly noColorEnv?: boolean;
  readonly onDropped?: OnDropped;
  /** Epoch nanoseconds (tests pass a fixed one). */
  readonly nowNs?: () => bigint;
}

/** zerolog's level numbers: an event is written when its level is at least the global one. */
const LEVELS: Record<string, number> = { trace: -1, debug: 0, info: 1, warn: 2, error: 3, fatal: 4, panic: 5, disabled: 7 };
const INFO = 1;
const ERROR = 3;

export function pcLogFiles(options: PcLogOptions = {}): OpenPcLog {
  // cmd/root.go setupLogger: RFC3339Nano until a log says otherwise.
  const globals = { timeFieldFormat: RFC3339_NANO };
  const level = LEVELS[options.level ?? 'info'] ?? INFO;
  const nowNs = options.nowNs ?? realNowNs;
  const onDropped = options.onDropped ?? (() => {});
  return (file, config) => {
    const writer: LineWriter = config?.rotation ? openLumberjack(file, config.rotation, onDropped, nowNs) : openTruncated(file, onDropped);
    if (config?.add_timestamp && config.timestamp_format) globals.timeFieldFormat = config.timestamp_format;
    return {
      write(entry) {
        if ((entry.isError ? ERROR : INFO) < level) return;
        const epochNs = nowNs();
        writer.write(formatLine(config, entry, { time: localGoTime(epochNs), epochNs, timeFieldFormat: globals.timeFieldFormat, noColorEnv: options.noColorEnv === true }));
      },
      close: () => writer.close(),
    };
  };
}

/** Wall-clock nanoseconds: Date.now() has milliseconds only; hrtime adds the rest, monotonic from one reading. */
const origin = BigInt(Date.now()) * 1_000_000n - process.hrtime.bigint();
function realNowNs(): bigint {
  return origin + process.hrtime.bigint();
}
