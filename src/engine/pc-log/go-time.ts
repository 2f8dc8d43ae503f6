/**
 * Go's `time.Time.Format(layout)` (time/format.go nextStdChunk, appendFormat):
 * process-compose's `log_configuration.timestamp_format` is a Go layout
 * ("2006-01-02T15:04:05Z07:00"), read by zerolog for the `time` field and by
 * its ConsoleWriter. No npm package formats Go layouts (strftime, date-fns and
 * dayjs each have their own token syntax), so the layout's tokens are read here
 * as Go reads them: longest token first, "Jan"/"Mon" only when not followed by a
 * lower-case letter, `.000`/`.999` (or `,`) only when no digit follows. Pure.
 */

/** One instant: local wall-clock fields, the zone's offset and name, and sub-second nanoseconds. */
export interface GoTime {
  readonly year: number;
  /** 1–12 */
  readonly month: number;
  readonly day: number;
  readonly hour: number;
  readonly minute: number;
  readonly second: number;
  readonly nanosecond: number;
  /** 0 = Sunday */
  readonly weekday: number;
  /** 1–366 */
  readonly yearDay: number;
  /** Seconds east of UTC. */
  readonly offset: number;
  /** "UTC", "CET"; empty when the zone has no abbreviation (then MST prints the offset). */
  readonly zone: string;
}

export const RFC3339 = '2006-01-02T15:04:05Z07:00';
export const RFC3339_NANO = '2006-01-02T15:04:05.999999999Z07:00';
export const KITCHEN = '3:04PM';

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

type Token =
  | { readonly kind: 'text'; readonly text: string }
  | { readonly kind: 'std'; readonly std: string }
  | { readonly kind: 'frac'; readonly sep: string; readonly digits: number; readonly trim: boolean };

const pad = (n: number, width: number) => String(n).padStart(width, '0');
const lower = (c: string | undefined) => c !== undefined && c >= 'a' && c <= 'z';
const digit = (c: string | undefined) => c !== undefined && c >= '0' && c <= '9';

/** The std token starting at `i`, longest first, as nextStdChunk matches them. */
function stdAt(layout: string, i: number): string | undefined {
  const rest = layout.slice(i);
  const first = (...candidates: string[]) => candidates.find((c) => rest.startsWith(c));
  switch (layout[i]) {
    case 'J':
      if (rest.startsWith('January')) return 'January';
      return rest.startsWith('Jan') && !lower(layout[i + 3]) ? 'Jan' : undefined;
    case 'M':
      if (rest.startsWith('Monday')) return 'Monday';
      if (rest.startsWith('Mon') && !lower(layout[i + 3])) return 'Mon';
      return rest.startsWith('MST') ? 'MST' : undefined;
    case '0':
      if (layout[i + 1] !== undefined && layout[i + 1]! >= '1' && layout[i + 1]! <= '6') return rest.slice(0, 2);
      return rest.startsWith('002') ? '002' : undefined;
    case '1':
      return rest.startsWith('15') ? '15' : '1';
    case '2':
      return rest.startsWith('2006') ? '2006' : '2';
    case '_':
      // "_2006" is a literal "_" before the year (Go reads it so).
      if (rest.startsWith('_2') && !rest.startsWith('_2006')) return '_2';
      return rest.startsWith('__2') ? '__2' : undefined;
    case '3':
    case '4':
    case '5':
      return layout[i];
    case 'P':
      return rest.startsWith('PM') ? 'PM' : undefined;
    case 'p':
      return rest.startsWith('pm') ? 'pm' : undefined;
    case '-':
      return first('-070000', '-07:00:00', '-0700', '-07:00', '-07');
    case 'Z':
      return first('Z070000', 'Z07:00:00', 'Z0700', 'Z07:00', 'Z07');
    default:
      return undefined;
  }
}

function tokenize(layout: string): Token[] {
  const tokens: Token[] = [];
  let text = '';
  for (let i = 0; i < layout.length; ) {
    const c = layout[i]!;
    if ((c === '.' || c === ',') && (layout[i + 1] === '0' || layout[i + 1] === '9')) {
      const ch = layout[i + 1]!;
      let j = i + 1;
      while (layout[j] === ch) j++;
      if (!digit(layout[j])) {
        if (text) tokens.push({ kind: 'text', text });
        text = '';
        tokens.push({ kind: 'frac', sep: c, digits: j - (i + 1), trim: ch === '9' });
        i = j;
        continue;
      }
    }
    const std = stdAt(layout, i);
    if (std === undefined) {
      text += c;
      i++;
      continue;
    }
    if (text) tokens.push({ kind: 'text', text });
    text = '';
    tokens.push({ kind: 'std', std });
    i += std.length;
  }
  if (text) tokens.push({ kind: 'text', text });
  return tokens;
}

function zoneOffset(std: string, offset: number): string {
  if (std.startsWith('Z') && offset === 0) return 'Z';
  const sign = offset < 0 ? '-' : '+';
  const abs = Math.abs(offset);
  const minutes = Math.floor(abs / 60);
  const colon = std.includes(':');
  let out = `${sign}${pad(Math.floor(minutes / 60), 2)}`;
  const short = std.endsWith('07');
  if (!short) out += `${colon ? ':' : ''}${pad(minutes % 60, 2)}`;
  if (std.endsWith('0000') || std.endsWith(':00:00')) out += `${colon ? ':' : ''}${pad(abs % 60, 2)}`;
  return out;
}

function formatStd(std: string, t: GoTime): string {
  const hour12 = t.hour % 12 === 0 ? 12 : t.hour % 12;
  switch (std) {
    case 'January':
      return MONTHS[t.month - 1]!;
    case 'Jan':
      return MONTHS[t.month - 1]!.slice(0, 3);
    case 'Monday':
      return DAYS[t.weekday]!;
    case 'Mon':
      return DAYS[t.weekday]!.slice(0, 3);
    case 'MST':
      if (t.zone) return t.zone;
      return zoneOffset('-0700', t.offset);
    case '01':
      return pad(t.month, 2);
    case '1':
      return String(t.month);
    case '02':
      return pad(t.day, 2);
    case '2':
      return String(t.day);
    case '_2':
      return String(t.day).padStart(2, ' ');
    case '__2':
      return String(t.yearDay).padStart(3, ' ');
    case '002':
      return pad(t.yearDay, 3);
    case '03':
      return pad(hour12, 2);
    case '3':
      return String(hour12);
    case '15':
      return pad(t.hour, 2);
    case '04':
      return pad(t.minute, 2);
    case '4':
      return String(t.minute);
    case '05':
      return pad(t.second, 2);
    case '5':
      return String(t.second);
    case '06':
      return pad(t.year % 100, 2);
    case '2006':
      return pad(t.year, 4);
    case 'PM':
      return t.hour >= 12 ? 'PM' : 'AM';
    case 'pm':
      return t.hour >= 12 ? 'pm' : 'am';
    default:
      return zoneOffset(std, t.offset);
  }
}

/** appendNano: `.000` keeps its width; `.999` drops trailing zeros, and the separator when nothing is left. */
function formatFrac(sep: string, digits: number, trim: boolean, nanosecond: number): string {
  if (trim && (digits === 0 || nanosecond === 0)) return '';
  let out = pad(nanosecond, 9).slice(0, digits);
  if (trim) out = out.replace(/0+$/, '');
  return out === '' ? '' : `${sep}${out}`;
}

export function formatGoTime(layout: string, t: GoTime): string {
  return tokenize(layout)
    .map((token) => {
      switch (token.kind) {
        case 'text':
          return token.text;
        case 'frac':
          return formatFrac(token.sep, token.digits, token.trim, t.nanosecond);
        default:
          return formatStd(token.std, t);
      }
    })
    .join('');
}

/** The local time of an instant given in epoch nanoseconds, as Go's time.Local sees it (TZ, else /etc/localtime). */
export function localGoTime(epochNs: bigint): GoTime {
  const ms = Number(epochNs / 1_000_000n);
  const date = new Date(ms);
  const nanosecond = Number(((epochNs % 1_000_000_000n) + 1_000_000_000n) % 1_000_000_000n);
  const startOfYear = new Date(date.getFullYear(), 0, 1);
  const yearDay = Math.round((new Date(date.getFullYear(), date.getMonth(), date.getDate()).getTime() - startOfYear.getTime()) / 86_400_000) + 1;
  const offset = -date.getTimezoneOffset() * 60;
  return {
    year: date.getFullYear(),
    month: date.getMonth() + 1,
    day: date.getDate(),
    hour: date.getHours(),
    minute: date.getMinutes(),
    second: date.getSeconds(),
    nanosecond,
    weekday: date.getDay(),
    yearDay,
    offset,
    zone: zoneName(date, offset),
  };
}

/** A zone abbreviation where the runtime knows one ("UTC", "CET"); "GMT+1"-style names are not abbreviations. */
function zoneName(date: Date, offset: number): string {
  const part = new Intl.DateTimeFormat('en-US', { timeZoneName: 'short' }).formatToParts(date).find((p) => p.type === 'timeZoneName')?.value ?? '';
  if (/^[A-Z]{2,5}$/.test(part)) return part;
  return offset === 0 ? 'UTC' : '';
}
