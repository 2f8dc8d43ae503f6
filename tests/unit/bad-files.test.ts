/**
 * Bad input files and environments (issue 9, items 16–18), through the built
 * CLI: exit 2, a message naming the file (and JSON path, byte offset or
 * variable), no stack trace, nothing written, and nothing echoed from a file
 * a symlink pointed at.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { makeProject, runCore } from '../helpers/cli.js';

const NATS = 'services/nats/service.json';
/** Stands for the first bytes of /etc/shadow: must never reach the output. */
const MARKER = 'root:$y$j9T$TOPSECRETMARKER';
const outside = fs.mkdtempSync(path.join(os.tmpdir(), 'core-outside-'));
fs.writeFileSync(path.join(outside, 'shadow'), `${MARKER}:19000:0:99999:7:::\n`);
fs.mkdirSync(path.join(outside, 'foo'));
fs.writeFileSync(path.join(outside, 'foo', 'service.json'), JSON.stringify({ name: 'foo', process: { command: 'true' } }));
afterAll(() => fs.rmSync(outside, { recursive: true, force: true }));

const natsManifest = (project: string) => JSON.parse(fs.readFileSync(path.join(project, NATS), 'utf8'));
const writeNats = (project: string, manifest: unknown) => fs.writeFileSync(path.join(project, NATS), JSON.stringify(manifest));
const replaceNats = (project: string) => (fs.rmSync(path.join(project, NATS)), path.join(project, NATS));
const nested = (depth: number): unknown => {
  let value: unknown = 1;
  for (let i = 0; i < depth; i++) value = { a: value };
  return value;
};
const big = (bytes: number, char = 'a') => char.repeat(bytes);

interface Case {
  readonly name: string;
  /** Changes the fresh project; returns extra environment for core, if any. */
  readonly setup: (project: string) => Record<string, string> | void;
  /** Every string must appear in stderr. */
  readonly expect: readonly string[];
  /** Strings that must not appear anywhere in the output. */
  readonly never?: readonly string[];
}

const CASES: Case[] = [
  // service.json (item 18)
  { name: 'service.json is a FIFO', setup: (p) => void execFileSync('mkfifo', [replaceNats(p)]), expect: [NATS, 'is a FIFO (named pipe), not a regular file'] },
  { name: 'service.json is a directory', setup: (p) => void fs.mkdirSync(replaceNats(p)), expect: [NATS, 'is a directory, not a regular file'] },
  { name: 'service.json is 600 MB', setup: (p) => void fs.truncateSync(path.join(p, NATS), 600 * 1024 * 1024), expect: [NATS, 'is 600 MiB, over the 1 MiB limit'] },
  {
    name: 'service.json is a symlink out of the project',
    setup: (p) => void fs.symlinkSync(path.join(outside, 'shadow'), replaceNats(p)),
    expect: [NATS, `is a symlink to ${path.join(outside, 'shadow')}, outside the project`],
    never: ['TOPSECRET'],
  },
  {
    name: 'service.json is a symlink inside the project to a non-JSON file',
    setup: (p) => (fs.writeFileSync(path.join(p, 'notes'), `${MARKER}\n`), void fs.symlinkSync('../../notes', replaceNats(p))),
    expect: [NATS, 'not valid JSON', 'line 1, column 1'],
    never: ['TOPSECRET', 'root:'],
  },
  {
    name: 'service.json holds text that is not JSON',
    setup: (p) => void fs.writeFileSync(path.join(p, NATS), `{"name": "nats",\n ${MARKER}`),
    expect: [NATS, 'not valid JSON', 'line 2, column 2'],
    never: ['TOPSECRET', 'root:'],
  },
  {
    name: 'service.json is not UTF-8',
    setup: (p) => void fs.writeFileSync(path.join(p, NATS), Buffer.from([...Buffer.from('{"name": "n'), 0xff, 0xfe, ...Buffer.from('ats"}')])),
    expect: [NATS, 'is not valid UTF-8: byte offset 11 (line 1)'],
  },
  {
    name: 'service.json has a bad UTF-8 sequence on line 3',
    setup: (p) =>
      void fs.writeFileSync(path.join(p, NATS), Buffer.concat([Buffer.from('{\n"description": "caf\u00e9",\n"name": "'), Buffer.from([0xe2, 0x28, 0xa1]), Buffer.from('"}')])),
    expect: [NATS, 'is not valid UTF-8: byte offset 35 (line 3)'],
  },
  {
    name: 'a service folder is a symlink out of the project',
    setup: (p) => void fs.symlinkSync(path.join(outside, 'foo'), path.join(p, 'services', 'foo')),
    expect: ['services/foo: is a symlink to', 'outside the project', 'move or copy the folder in'],
  },
  {
    name: 'a service folder is a dangling symlink',
    setup: (p) => void fs.symlinkSync('/nonexistent/core-test', path.join(p, 'services', 'foo')),
    expect: ['services/foo: is a symlink to /nonexistent/core-test, which does not exist'],
  },
  { name: 'a service folder is a symlink loop', setup: (p) => void fs.symlinkSync('foo', path.join(p, 'services', 'foo')), expect: ['services/foo: is a symlink loop'] },
  // nesting and NUL in manifests (item 16, and item 17's manifest half)
  {
    name: 'config nested 2,000 levels',
    setup: (p) => writeNats(p, { ...natsManifest(p), config: nested(2000) }),
    expect: [`${NATS}: config${'.a'.repeat(63)}: nested deeper than 64 levels`],
  },
  {
    name: 'an array nested 100,000 levels',
    setup: (p) => void fs.writeFileSync(path.join(p, NATS), `{"name":"nats","x":${'['.repeat(100_000)}${']'.repeat(100_000)}}`),
    expect: [`${NATS}: x${'[0]'.repeat(63)}: nested deeper than 64 levels`],
  },
  {
    name: 'a NUL in a manifest env value',
    setup: (p) => writeNats(p, { ...natsManifest(p), process: { ...natsManifest(p).process, env: { X: `a\u0000${MARKER}` } } }),
    expect: [`${NATS}: process.env.X: contains a NUL character`],
    never: ['TOPSECRET'],
  },
  {
    name: 'a NUL in a manifest argument',
    setup: (p) => {
      const m = natsManifest(p);
      m.process.args.push('a\u0000b');
      writeNats(p, m);
    },
    expect: [`${NATS}: process.args[2]: contains a NUL character`],
  },
  // .env (items 17 and 18)
  { name: '.env is a FIFO', setup: (p) => void execFileSync('mkfifo', [path.join(p, '.env')]), expect: ['.env: is a FIFO (named pipe), not a regular file'] },
  { name: '.env is a directory', setup: (p) => void fs.mkdirSync(path.join(p, '.env')), expect: ['.env: is a directory, not a regular file'] },
  {
    name: '.env is 600 MB',
    setup: (p) => (fs.writeFileSync(path.join(p, '.env'), ''), void fs.truncateSync(path.join(p, '.env'), 600 * 1024 * 1024)),
    expect: ['.env: is 600 MiB, over the 8 MiB limit'],
  },
  {
    name: '.env is not UTF-8',
    setup: (p) => void fs.writeFileSync(path.join(p, '.env'), Buffer.from([...Buffer.from('A=1\nB=caf'), 0xe9, 0x0a])),
    expect: ['.env: is not valid UTF-8: byte offset 9 (line 2)'],
  },
  {
    name: 'a NUL byte in a .env value',
    setup: (p) => void fs.writeFileSync(path.join(p, '.env'), `A=1\nFOO=a\0${MARKER}\n`),
    expect: ['.env:2: FOO: the value contains a NUL byte'],
    never: ['TOPSECRET'],
  },
  {
    name: 'a 4 MB .env value',
    setup: (p) => void fs.writeFileSync(path.join(p, '.env'), `# big\nBIG_VALUE=${big(4 * 1024 * 1024, 'q')}\n`),
    expect: ['.env:2: BIG_VALUE: BIG_VALUE=value is 4 MiB', 'at most 131071 bytes (Linux MAX_ARG_STRLEN)'],
    never: ['qqqq'],
  },
  {
    name: '.env values that together do not fit one process',
    setup: (p) => void fs.writeFileSync(path.join(p, '.env'), Array.from({ length: 10 }, (_, i) => `PART_${i}=${big(120_000, 'q')}`).join('\n')),
    expect: [`${NATS}: process: the command line and environment of "nats" come to`, 'over the 1 MiB core allows one process', 'PART_0 (.env:1) 117.2 KiB'],
    never: ['qqqq'],
  },
  {
    name: 'environment values that together do not fit one process',
    setup: () => Object.fromEntries(Array.from({ length: 9 }, (_, i) => [`PART_${i}`, big(120_000, 'q')])),
    expect: [`${NATS}: process: the command line and environment of "nats" come to`, 'PART_0 (environment) 117.2 KiB'],
    never: ['qqqq'],
  },
  {
    name: 'a manifest env value too long after placeholders',
    setup: (p) => {
      fs.writeFileSync(path.join(p, '.env'), `HALF=${big(100_000, 'q')}\n`);
      writeNats(p, { ...natsManifest(p), process: { ...natsManifest(p).process, env: { TWICE: '${env.HALF}${env.HALF}' } } });
    },
    expect: [`${NATS}: process.env.TWICE: after placeholders, 195.3 KiB; one argument or variable can hold at most 131071 bytes`],
    never: ['qqqq'],
  },
  {
    name: 'a manifest argument too long after placeholders, from the environment',
    setup: (p) => {
      const m = natsManifest(p);
      m.process.args.push('${env.HALF}${env.HALF}');
      writeNats(p, m);
      return { HALF: big(100_000, 'q') };
    },
    expect: [`${NATS}: process.args[2]: after placeholders, 195.3 KiB`],
    never: ['qqqq'],
  },
];

const listing = (dir: string) => fs.readdirSync(dir).sort();

describe('bad input files: exit 2, file and place named, no stack trace, nothing written, nothing echoed', () => {
  it.each(CASES)('$name', async ({ setup, expect: needles, never = [] }) => {
    const project = makeProject();
    try {
      const env = setup(project) ?? {};
      const before = listing(project);
      for (const command of [['validate'], ['generate'], ['up', '-d']]) {
        const result = await runCore(command, { cwd: project, env: { CORE_PORT_OFFSET: '45100', ...env } });
        const output = `${result.stdout}\n${result.stderr}`;
        expect(result.code, `${command.join(' ')}: ${result.stderr}`).toBe(2);
        for (const needle of needles) expect(result.stderr, command.join(' ')).toContain(needle);
        for (const secret of never) expect(output).not.toContain(secret);
        expect(result.stderr).not.toMatch(/^\s+at /m);
        expect(result.stderr).not.toContain('internal error');
        expect(result.stdout).toBe('');
      }
      expect(listing(project)).toEqual(before);
    } finally {
      fs.rmSync(project, { recursive: true, force: true });
    }
  });
});

describe('input files that are fine', () => {
  it('a UTF-8 BOM (what Windows editors write) is accepted in service.json and .env', async () => {
    const project = makeProject();
    try {
      const file = path.join(project, NATS);
      fs.writeFileSync(file, Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), fs.readFileSync(file)]));
      fs.writeFileSync(path.join(project, '.env'), '\ufeffCORE_PORT_NATS_CLIENT=5222\n');
      const result = await runCore(['nats', 'spec'], { cwd: project });
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      expect(result.stdout).toContain('5222');
    } finally {
      fs.rmSync(project, { recursive: true, force: true });
    }
  });

  it('a service folder symlinked from inside the project is followed', async () => {
    const project = makeProject();
    try {
      fs.mkdirSync(path.join(project, 'vendor'));
      fs.renameSync(path.join(project, 'services', 'caddy'), path.join(project, 'vendor', 'caddy'));
      fs.symlinkSync('../vendor/caddy', path.join(project, 'services', 'caddy'));
      const result = await runCore(['validate'], { cwd: project });
      expect(result.stderr).toBe('');
      expect(result.stdout).toContain('caddy');
      expect(result.code).toBe(0);
    } finally {
      fs.rmSync(project, { recursive: true, force: true });
    }
  });
});
