/**
 * The files under process-compose's logs (engine/pc-log/): truncated at
 * opening, or rotated as lumberjack v2.2.1 rotates (names, sizes, pruning,
 * compression), and the zerolog globals every file shares (level, time format).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openTruncated } from '../../src/engine/pc-log/files.js';
import { openLumberjack } from '../../src/engine/pc-log/lumberjack.js';
import { pcLogFiles } from '../../src/engine/pc-log/sink.js';

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'core-pclog-'));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

const MB = 1024 * 1024;
const noDrops = (file: string, error: unknown) => {
  throw new Error(`dropped a line of ${file}: ${String(error)}`);
};
/** lumberjack's backup time: local, 2006-01-02T15-04-05.000. */
function stamp(ms: number): string {
  const d = new Date(ms);
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}-${p(d.getMinutes())}-${p(d.getSeconds())}.${p(d.getMilliseconds(), 3)}`;
}
const ns = (ms: number) => BigInt(ms) * 1_000_000n;
const T0 = Date.UTC(2026, 10, 30, 9, 5, 7, 123);

describe('openTruncated', () => {
  it('makes the folders (0755) and the file (0600), and empties a file left by an earlier run', () => {
    const file = path.join(dir, 'a', 'b', 'web.log');
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, 'old run\n');
    const log = openTruncated(file, noDrops);
    log.write('one\n');
    log.write('two\n');
    log.close();
    expect(fs.readFileSync(file, 'utf8')).toBe('one\ntwo\n');
    const fresh = path.join(dir, 'new', 'web.log');
    openTruncated(fresh, noDrops).close();
    expect(fs.statSync(fresh).mode & 0o777).toBe(0o600);
    expect(fs.statSync(path.dirname(fresh)).mode & 0o777).toBe(0o755 & ~process.umask());
  });

  it('drops and reports the lines of a file it could not open', () => {
    const dropped: string[] = [];
    fs.writeFileSync(path.join(dir, 'blocker'), '');
    const log = openTruncated(path.join(dir, 'blocker', 'web.log'), (file) => dropped.push(file));
    log.write('x\n');
    log.close();
    expect(dropped).toEqual([path.join(dir, 'blocker', 'web.log')]);
  });
});

describe('openLumberjack', () => {
  const line = (c: string) => `${c.repeat(400 * 1024 - 1)}\n`;

  it('appends to an existing file, and rotates before a write that would pass max_size_mb', () => {
    const file = path.join(dir, 'logs', 'web.log');
    fs.mkdirSync(path.dirname(file));
    fs.writeFileSync(file, 'kept\n');
    let now = T0;
    const log = openLumberjack(file, { max_size_mb: 1 }, noDrops, () => ns(now));
    log.write(line('a'));
    log.write(line('b'));
    now += 1500;
    log.write(line('c'));
    log.close();
    expect(fs.readFileSync(path.join(dir, 'logs', `web-${stamp(T0 + 1500)}.log`), 'utf8')).toBe(`kept\n${line('a')}${line('b')}`);
    expect(fs.readFileSync(file, 'utf8')).toBe(line('c'));
  });

  it('rotates at the first write when the existing file would reach the size; names keep the part after the last dot', () => {
    const file = path.join(dir, 'web.out.txt');
    fs.writeFileSync(file, 'x'.repeat(MB - 3));
    const log = openLumberjack(file, { max_size_mb: 1 }, noDrops, () => ns(T0));
    log.write('yz\n');
    log.close();
    expect(fs.readdirSync(dir).sort()).toEqual([`web.out-${stamp(T0)}.txt`, 'web.out.txt']);
    expect(fs.readFileSync(file, 'utf8')).toBe('yz\n');
    // The new file takes the old one's mode (0644 here), not 0600.
    expect(fs.statSync(file).mode & 0o777).toBe(fs.statSync(path.join(dir, `web.out-${stamp(T0)}.txt`)).mode & 0o777);
    expect(fs.statSync(file).mode & 0o777).toBe(0o666 & ~process.umask());
  });

  it('drops a line larger than the size', () => {
    const dropped: number[] = [];
    const log = openLumberjack(
      path.join(dir, 'web.log'),
      { max_size_mb: 1 },
      (_f, _e, n) => dropped.push(n),
      () => ns(T0),
    );
    log.write(`${'x'.repeat(MB)}\n`);
    log.close();
    expect(dropped).toEqual([1]);
  });

  it('keeps max_backups newest, and gzips them with compress', async () => {
    const file = path.join(dir, 'web.log');
    let now = T0;
    const log = openLumberjack(file, { max_size_mb: 1, max_backups: 2, compress: true }, noDrops, () => ns(now));
    for (const c of ['a', 'b', 'c', 'd', 'e', 'f', 'g']) {
      log.write(line(c));
      now += 1000;
    }
    log.close();
    await log.idle();
    const names = fs.readdirSync(dir).sort();
    // a+b, c+d, e+f were rotated out (at the writes of c, e, g); the oldest went.
    expect(names).toEqual([`web-${stamp(T0 + 4000)}.log.gz`, `web-${stamp(T0 + 6000)}.log.gz`, 'web.log']);
    expect(zlib.gunzipSync(fs.readFileSync(path.join(dir, names[1]!))).toString()).toBe(line('e') + line('f'));
    expect(fs.statSync(path.join(dir, names[1]!)).mode & 0o777).toBe(0o600);
  });

  it('removes backups older than max_age_days by the time in their names, when the file is first opened', async () => {
    const file = path.join(dir, 'web.log');
    const day = 24 * 3600 * 1000;
    const old = `web-${stampUtc(T0 - 3 * day)}.log`;
    const recent = `web-${stampUtc(T0 - day)}.log`;
    for (const name of [old, recent, 'web-notatime.log']) fs.writeFileSync(path.join(dir, name), '');
    const log = openLumberjack(file, { max_age_days: 2 }, noDrops, () => ns(T0));
    log.write('x\n');
    log.close();
    await log.idle();
    expect(fs.readdirSync(dir).sort()).toEqual(['web-notatime.log', recent, 'web.log'].sort());
  });
});

/** The name's time read back as UTC (lumberjack's time.Parse): written so, its age is exact. */
function stampUtc(ms: number): string {
  return new Date(ms).toISOString().replace(/:/g, '-').replace('Z', '');
}

describe('pcLogFiles', () => {
  const entry = (message: string, isError: boolean) => ({ message, process: 'web', replica: 0, isError });
  const writeBoth = (level: string | undefined) => {
    const file = path.join(dir, `${level}.log`);
    const log = pcLogFiles({ level, nowNs: () => ns(T0) })(file, undefined);
    log.write(entry('out', false));
    log.write(entry('err', true));
    log.close();
    return fs.readFileSync(file, 'utf8');
  };

  it('log_level (zerolog global level): warn drops stdout lines, fatal drops both', () => {
    const out = '{"level":"info","process":"web","replica":0,"message":"out"}\n';
    const err = '{"level":"error","process":"web","replica":0,"message":"err"}\n';
    expect(writeBoth(undefined)).toBe(out + err);
    expect(writeBoth('debug')).toBe(out + err);
    expect(writeBoth('warn')).toBe(err);
    expect(writeBoth('error')).toBe(err);
    expect(writeBoth('fatal')).toBe('');
  });

  it('a log opened with add_timestamp and timestamp_format sets the time format of every log from then on', () => {
    const open = pcLogFiles({ nowNs: () => ns(Date.UTC(2026, 10, 30, 9, 5, 7)) });
    const first = open(path.join(dir, 'first.log'), { add_timestamp: true, no_metadata: true });
    first.write(entry('before', false));
    const second = open(path.join(dir, 'second.log'), { add_timestamp: true, timestamp_format: 'UNIX', no_metadata: true });
    first.write(entry('after', false));
    second.write(entry('own', false));
    first.close();
    second.close();
    const when = new Date(Date.UTC(2026, 10, 30, 9, 5, 7));
    const offset = -when.getTimezoneOffset();
    const zone = offset === 0 ? 'Z' : `${offset < 0 ? '-' : '+'}${String(Math.floor(Math.abs(offset) / 60)).padStart(2, '0')}:${String(Math.abs(offset) % 60).padStart(2, '0')}`;
    const local = stamp(when.getTime())
      .slice(0, 19)
      .replace(/T(\d\d)-(\d\d)-(\d\d)/, 'T$1:$2:$3');
    expect(fs.readFileSync(path.join(dir, 'first.log'), 'utf8')).toBe(
      `{"level":"info","time":"${local}${zone}","message":"before"}\n{"level":"info","time":"UNIX","message":"after"}\n`,
    );
    expect(fs.readFileSync(path.join(dir, 'second.log'), 'utf8')).toBe('{"level":"info","time":"UNIX","message":"own"}\n');
  });
});
