/**
 * process-compose's log lines (engine/pc-log/format.ts) and Go time layouts
 * (go-time.ts). Each expectation is what Go 1.26 and zerolog v1.35.0 print for
 * the same input, configured as process-compose's PCLog.Open configures them.
 */
import { describe, expect, it } from 'vitest';
import { formatLine, type LineConfig, type LogEntry } from '../../src/engine/pc-log/format.js';
import { formatGoTime, type GoTime, KITCHEN, RFC3339, RFC3339_NANO } from '../../src/engine/pc-log/go-time.js';

const t = (fields: Partial<GoTime>): GoTime => ({
  year: 2026,
  month: 11,
  day: 30,
  hour: 13,
  minute: 5,
  second: 7,
  nanosecond: 0,
  weekday: 1,
  yearDay: 334,
  offset: 0,
  zone: 'UTC',
  ...fields,
});
const ODD_ZONE = t({ month: 1, day: 5, hour: 0, minute: 4, second: 9, nanosecond: 5_000_000, yearDay: 5, offset: -(3 * 3600 + 30 * 60 + 15), zone: '' });
const UTC = t({});
const IST = t({ year: 2024, month: 12, day: 31, hour: 23, minute: 59, second: 59, nanosecond: 999_999_999, weekday: 2, yearDay: 366, offset: 5 * 3600 + 1800, zone: 'IST' });

describe('formatGoTime', () => {
  const layouts = [
    RFC3339_NANO,
    RFC3339,
    KITCHEN,
    '2006-01-02T15-04-05.000',
    'Monday January 2 _2 __2 002 06 3 03 15 4 04 5 05 PM pm',
    'Z07 Z0700 Z07:00 Z070000 Z07:00:00 -07 -0700 -07:00 -070000 -07:00:00 MST',
    '_2006 Janet Mont .000 ,999 .9x .09 05.0000001',
    'UNIXMS',
    '15:04:05,000000',
  ];
  it.each([
    [
      'a zone of -03:30:15 with no name',
      ODD_ZONE,
      [
        '2026-01-05T00:04:09.005-03:30',
        '2026-01-05T00:04:09-03:30',
        '12:04AM',
        '2026-01-05T00-04-09.005',
        'Monday January 5  5   5 005 26 12 12 00 4 04 9 09 AM am',
        '-03 -0330 -03:30 -033015 -03:30:15 -03 -0330 -03:30 -033015 -03:30:15 -0330',
        '_2026 Janet Mont .005 ,005 x .09 09.0000001',
        'UNIXMS',
        '00:04:09,005000',
      ],
    ],
    [
      'UTC, no fraction',
      UTC,
      [
        '2026-11-30T13:05:07Z',
        '2026-11-30T13:05:07Z',
        '1:05PM',
        '2026-11-30T13-05-07.000',
        'Monday November 30 30 334 334 26 1 01 13 5 05 7 07 PM pm',
        'Z Z Z Z Z +00 +0000 +00:00 +000000 +00:00:00 UTC',
        '_2026 Janet Mont .000  x .09 07.0000011',
        'UNIXMS',
        '13:05:07,000000',
      ],
    ],
    [
      'IST, every digit of the fraction',
      IST,
      [
        '2024-12-31T23:59:59.999999999+05:30',
        '2024-12-31T23:59:59+05:30',
        '11:59PM',
        '2024-12-31T23-59-59.999',
        'Tuesday December 31 31 366 366 24 11 11 23 59 59 59 59 PM pm',
        '+05 +0530 +05:30 +053000 +05:30:00 +05 +0530 +05:30 +053000 +05:30:00 IST',
        '_2024 Janet Mont .999 ,999 .9x .09 59.0000012',
        'UNIXMS',
        '23:59:59,999999',
      ],
    ],
  ])('%s', (_name, time, want) => {
    expect(layouts.map((layout) => formatGoTime(layout, time))).toEqual(want);
  });
});

describe('formatLine', () => {
  const time = t({ hour: 9, minute: 5, second: 7, nanosecond: 120_450_000 });
  const ctx = { time, epochNs: 1_796_029_507_120_450_000n, timeFieldFormat: RFC3339_NANO, noColorEnv: false };
  const entries: LogEntry[] = [
    { message: 'hello world', process: 'web-1', replica: 1, isError: false },
    { message: 'oops "q" \\ \t\x01\x7f é', process: 'web-1', replica: 1, isError: true },
    // An empty line: zerolog leaves `message` out.
    { message: '', process: 'web-1', replica: 1, isError: false },
    // What process-compose writes before a restart (handleInfo("\n")).
    { message: '\n', process: 'web-1', replica: 1, isError: false },
  ];
  const lines = (config: LineConfig | undefined, timeFieldFormat = RFC3339_NANO) => entries.map((e) => formatLine(config, e, { ...ctx, timeFieldFormat })).join('');

  it('JSON: level, process, replica, message; stderr is "error"', () => {
    expect(lines(undefined)).toBe(
      [
        '{"level":"info","process":"web-1","replica":1,"message":"hello world"}',
        '{"level":"error","process":"web-1","replica":1,"message":"oops \\"q\\" \\\\ \\t\\u0001\\u007f é"}',
        '{"level":"info","process":"web-1","replica":1}',
        '{"level":"info","process":"web-1","replica":1,"message":"\\n"}',
        '',
      ].join('\n'),
    );
  });

  it('JSON with no_metadata', () => {
    expect(lines({ no_metadata: true })).toBe(
      [
        '{"level":"info","message":"hello world"}',
        '{"level":"error","message":"oops \\"q\\" \\\\ \\t\\u0001\\u007f é"}',
        '{"level":"info"}',
        '{"level":"info","message":"\\n"}',
        '',
      ].join('\n'),
    );
  });

  it('JSON with add_timestamp: time before the message, RFC3339Nano unless timestamp_format', () => {
    expect(formatLine({ add_timestamp: true }, entries[0]!, ctx)).toBe(
      '{"level":"info","process":"web-1","replica":1,"time":"2026-11-30T09:05:07.12045Z","message":"hello world"}\n',
    );
    const format = '2006-01-02 15:04:05.000 Mon Jan _2 3PM -07:00 MST';
    expect(formatLine({ add_timestamp: true, timestamp_format: format }, entries[0]!, { ...ctx, timeFieldFormat: format })).toBe(
      '{"level":"info","process":"web-1","replica":1,"time":"2026-11-30 09:05:07.120 Mon Nov 30 9AM +00:00 UTC","message":"hello world"}\n',
    );
    expect(formatLine({ add_timestamp: true }, entries[0]!, { ...ctx, timeFieldFormat: 'UNIXMS' })).toBe(
      '{"level":"info","process":"web-1","replica":1,"time":1796029507120,"message":"hello world"}\n',
    );
  });

  it('disable_json + no_color: the console line, <nil> for a time never added', () => {
    expect(lines({ disable_json: true, no_color: true })).toBe(
      [
        '<nil> INF hello world process=web-1 replica=1',
        '<nil> ERR oops "q" \\ \t\x01\x7f é process=web-1 replica=1',
        '<nil> INF process=web-1 replica=1',
        '<nil> INF \n process=web-1 replica=1',
        '',
      ].join('\n'),
    );
  });

  it('disable_json in colour (and NO_COLOR in the environment turns it off)', () => {
    expect(lines({ disable_json: true })).toBe(
      [
        '\x1b[90m<nil>\x1b[0m \x1b[32mINF\x1b[0m \x1b[1mhello world\x1b[0m \x1b[36mprocess=\x1b[0mweb-1 \x1b[36mreplica=\x1b[0m1',
        '\x1b[90m<nil>\x1b[0m \x1b[31mERR\x1b[0m \x1b[1moops "q" \\ \t\x01\x7f é\x1b[0m \x1b[36mprocess=\x1b[0mweb-1 \x1b[36mreplica=\x1b[0m1',
        '\x1b[90m<nil>\x1b[0m \x1b[32mINF\x1b[0m \x1b[36mprocess=\x1b[0mweb-1 \x1b[36mreplica=\x1b[0m1',
        '\x1b[90m<nil>\x1b[0m \x1b[32mINF\x1b[0m \x1b[1m\n\x1b[0m \x1b[36mprocess=\x1b[0mweb-1 \x1b[36mreplica=\x1b[0m1',
        '',
      ].join('\n'),
    );
    expect(formatLine({ disable_json: true }, entries[0]!, { ...ctx, noColorEnv: true })).toBe('<nil> INF hello world process=web-1 replica=1\n');
  });

  it('disable_json with add_timestamp: time.Kitchen, or timestamp_format', () => {
    expect(formatLine({ disable_json: true, no_color: true, add_timestamp: true }, entries[0]!, ctx)).toBe('9:05AM INF hello world process=web-1 replica=1\n');
    const format = 'Jan _2 15:04:05.999999';
    expect(formatLine({ disable_json: true, no_color: true, add_timestamp: true, timestamp_format: format }, entries[2]!, { ...ctx, timeFieldFormat: format })).toBe(
      'Nov 30 09:05:07.12045 INF process=web-1 replica=1\n',
    );
  });

  it('fields_order is the console parts order; a missing part prints as %!s(<nil>)', () => {
    expect(lines({ disable_json: true, no_color: true, fields_order: ['level', 'process', 'message', 'foo'] })).toBe(
      [
        'INF web-1 hello world %!s(<nil>) process=web-1 replica=1',
        'ERR web-1 oops "q" \\ \t\x01\x7f é %!s(<nil>) process=web-1 replica=1',
        'INF web-1 %!s(<nil>) process=web-1 replica=1',
        'INF web-1 \n %!s(<nil>) process=web-1 replica=1',
        '',
      ].join('\n'),
    );
  });

  it('disable_json + no_metadata: no fields, and no trailing space', () => {
    expect(lines({ disable_json: true, no_color: true, no_metadata: true })).toBe(
      ['<nil> INF hello world', '<nil> ERR oops "q" \\ \t\x01\x7f é', '<nil> INF', '<nil> INF \n', ''].join('\n'),
    );
  });

  it('a process name the console must quote', () => {
    expect(formatLine({ disable_json: true, no_color: true }, { message: 'm', process: 'a b', replica: 0, isError: false }, ctx)).toBe('<nil> INF m process="a b" replica=0\n');
  });
});
