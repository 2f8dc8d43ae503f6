/**
 * One line of a process-compose log file, byte for byte as process-compose
 * v1.122.0 writes it (pclog/logger_facade.go runCollector) through zerolog
 * v1.35 (event.go msg, internal/json, console.go). Pure: the time comes in.
 *
 * JSON (the default): fields in the order zerolog appends them, `level`, then
 * `process` and `replica` (unless `no_metadata`), then `time` (the Timestamp
 * hook, run just before the message, when `add_timestamp`), then `message`, left
 * out when the line is empty.
 *
 * `disable_json`: zerolog's ConsoleWriter, which process-compose gives
 * `fields_order` as its *parts* order (PartsOrder, not FieldsOrder): the parts
 * (default time, level, caller, message) joined by spaces, then every field but
 * level/time/message/caller sorted by name as `name=value`. A part that is not
 * there prints as the console prints nothing: `<nil>` for a missing time (no
 * `add_timestamp`), nothing for caller or an empty message, `%!s(<nil>)` for a
 * named field that does not exist.
 */
import { formatGoTime, type GoTime, KITCHEN } from './go-time.js';

/** process-compose's LoggerConfig keys that shape a line (types/logger.go). */
export interface LineConfig {
  readonly no_metadata?: boolean;
  readonly add_timestamp?: boolean;
  readonly timestamp_format?: string;
  readonly disable_json?: boolean;
  readonly no_color?: boolean;
  readonly fields_order?: readonly string[];
}

export interface LogEntry {
  readonly message: string;
  readonly process: string;
  readonly replica: number;
  /** stderr: zerolog's error level; stdout: info. */
  readonly isError: boolean;
}

/**
 * `timeFieldFormat`: zerolog's global TimeFieldFormat when the line is written
 * (process-compose sets RFC3339Nano at start, and any log opened with
 * add_timestamp and timestamp_format replaces it for every log: sink.ts).
 * `noColorEnv`: NO_COLOR is set in process-compose's own environment (console.go colorize).
 */
export interface LineContext {
  readonly time: GoTime;
  readonly epochNs: bigint;
  readonly timeFieldFormat: string;
  readonly noColorEnv: boolean;
}

const UNIX_FORMATS: Record<string, bigint> = { '': 1_000_000_000n, UNIXMS: 1_000_000n, UNIXMICRO: 1_000n, UNIXNANO: 1n };

/** The line, with its trailing newline. */
export function formatLine(config: LineConfig | undefined, entry: LogEntry, ctx: LineContext): string {
  return config?.disable_json ? consoleLine(config, entry, ctx) : `${jsonLine(config, entry, ctx)}\n`;
}

function jsonLine(config: LineConfig | undefined, entry: LogEntry, ctx: LineContext): string {
  let out = `{"level":"${entry.isError ? 'error' : 'info'}"`;
  if (!config?.no_metadata) out += `,"process":${jsonString(entry.process)},"replica":${entry.replica}`;
  if (config?.add_timestamp) out += `,"time":${jsonTime(ctx)}`;
  if (entry.message !== '') out += `,"message":${jsonString(entry.message)}`;
  return `${out}}`;
}

/** AppendTime: a Unix format is a bare integer; any other is a Go layout inside quotes, not escaped. */
function jsonTime(ctx: LineContext): string {
  const unit = UNIX_FORMATS[ctx.timeFieldFormat];
  if (unit !== undefined) return String(ctx.epochNs / unit);
  return `"${formatGoTime(ctx.timeFieldFormat, ctx.time)}"`;
}

/**
 * internal/json AppendString: `"` and `\` escaped, \b \f \n \r \t by name, other
 * bytes below 0x20 and 0x7f as \u00XX; everything else as it is (no HTML escaping).
 */
export function jsonString(s: string): string {
  let out = '"';
  for (const ch of s) {
    const code = ch.codePointAt(0)!;
    if (ch === '"' || ch === '\\') out += `\\${ch}`;
    else if (ch === '\b') out += '\\b';
    else if (ch === '\f') out += '\\f';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (code < 0x20 || code === 0x7f) out += `\\u00${code.toString(16).padStart(2, '0')}`;
    else out += ch;
  }
  return `${out}"`;
}

const GREEN = 32;
const RED = 31;
const CYAN = 36;
const BOLD = 1;
const DARK_GRAY = 90;
const DEFAULT_PARTS = ['time', 'level', 'caller', 'message'];

function consoleLine(config: LineConfig, entry: LogEntry, ctx: LineContext): string {
  const noColor = config.no_color === true || ctx.noColorEnv;
  const color = (s: string, c: number) => (noColor ? s : `\x1b[${c}m${s}\x1b[0m`);
  // The event as the console decodes it: what the JSON line holds.
  const fields: Record<string, string> = config.no_metadata ? {} : { process: entry.process, replica: String(entry.replica) };
  const parts = config.fields_order?.length ? config.fields_order : DEFAULT_PARTS;
  let out = '';
  const put = (s: string) => {
    if (s === '') return;
    if (out !== '') out += ' ';
    out += s;
  };
  for (const part of parts) {
    switch (part) {
      case 'level':
        put(entry.isError ? color('ERR', RED) : color('INF', GREEN));
        break;
      case 'time':
        put(color(config.add_timestamp ? consoleTime(config, ctx) : '<nil>', DARK_GRAY));
        break;
      case 'message':
        put(entry.message === '' ? '' : color(entry.message, BOLD));
        break;
      case 'caller':
        break;
      default:
        // consoleDefaultFormatFieldValue: fmt's %s of the decoded value, unquoted.
        put(fields[part] ?? '%!s(<nil>)');
    }
  }
  const names = Object.keys(fields).sort();
  if (names.length > 0) {
    if (out !== '') out += ' ';
    out += names.map((name) => `${color(`${name}=`, CYAN)}${quoteIfNeeded(fields[name]!, name === 'replica')}`).join(' ');
  }
  return `${out}\n`;
}

/**
 * The console parses the JSON time back with TimeFieldFormat and prints it with
 * its TimeFormat (timestamp_format, else time.Kitchen). Formatting the instant
 * with TimeFormat gives the same text whenever the field format keeps what the
 * console shows, which holds when both are timestamp_format (process-compose sets
 * both from it) and for the default RFC3339Nano field.
 */
function consoleTime(config: LineConfig, ctx: LineContext): string {
  return formatGoTime(config.timestamp_format || KITCHEN, ctx.time);
}

/** console.go needsQuote → strconv.Quote; a number (json.Number) is never quoted. */
function quoteIfNeeded(value: string, isNumber: boolean): string {
  if (isNumber || !/[^\x21-\x7e]|["\\]/.test(value)) return value;
  return goQuote(value);
}

/** strconv.Quote for what a process name can hold: the usual escapes, \xNN for other control bytes. */
function goQuote(s: string): string {
  const named: Record<string, string> = { '\x07': '\\a', '\b': '\\b', '\f': '\\f', '\n': '\\n', '\r': '\\r', '\t': '\\t', '\v': '\\v', '"': '\\"', '\\': '\\\\' };
  let out = '"';
  for (const ch of s) {
    const code = ch.codePointAt(0)!;
    if (named[ch]) out += named[ch];
    else if (code < 0x20 || code === 0x7f) out += `\\x${code.toString(16).padStart(2, '0')}`;
    else out += ch;
  }
  return `${out}"`;
}
