/**
 * docs/getting-started.md is a script: every `$ ` command in it runs, in order,
 * in a new temp folder with the built CLI as `core` on PATH (the real stack on
 * a free port offset), and its output must be what the page shows. The page
 * cannot drift from the behaviour. CORE_GUIDE_DOC=<file> runs another copy
 * (to see it fail: change one expected line in a scratch copy).
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CORE, runCore } from '../helpers/cli.js';
import { type DocStep, lineMatches, outputMismatch, parseWalkthrough, portShift } from '../helpers/doc-runner.js';
import { freeOffset, STACK_PORTS } from '../helpers/e2e.js';
import { REPO } from '../helpers/stack.js';

const DOC = process.env.CORE_GUIDE_DOC ?? path.join(REPO, 'docs/getting-started.md');
/** The page's ports: the stack's defaults and its own service's. */
const PAGE_PORTS = [...STACK_PORTS, 3000];

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'core-guide-'));
const bin = path.join(work, 'bin');
let env: Record<string, string>;
let shift: ReturnType<typeof portShift>;
let cwd = work;

beforeAll(async () => {
  if (!fs.existsSync(CORE)) throw new Error('dist/ is not built: run `npm run build` first');
  fs.mkdirSync(bin);
  // `core` as the user has it: a command on PATH (the install itself is install.test.ts's).
  fs.writeFileSync(path.join(bin, 'core'), `#!/bin/sh\nexec '${process.execPath}' '${CORE}' "$@"\n`, { mode: 0o755 });
  const offset = await freeOffset(PAGE_PORTS);
  shift = portShift(PAGE_PORTS, offset);
  // No CORE_ROOT: the project is found from the folder the commands are in.
  env = { PATH: `${bin}:${process.env.PATH ?? ''}`, HOME: process.env.HOME ?? '/tmp', TMPDIR: os.tmpdir(), NO_COLOR: '1', CORE_PORT_OFFSET: String(offset) };
});

afterAll(async () => {
  const project = path.join(work, 'my-app');
  if (fs.existsSync(path.join(project, '.core-stack'))) await runCore(['down'], { cwd: project, env });
  fs.rmSync(work, { recursive: true, force: true });
}, 30_000);

/** Run one line through sh from `cwd`; stdout and stderr together, in the order written; the folder it ends in on fd 3. */
function sh(command: string): Promise<{ code: number; output: string; cwd: string }> {
  return new Promise((resolve, reject) => {
    const script = `{\n${command}\n} 2>&1\n__rc=$?\npwd >&3\nexit $__rc\n`;
    const child = spawn('sh', ['-c', script], { cwd, env, stdio: ['ignore', 'pipe', 'inherit', 'pipe'], timeout: 30_000 });
    let output = '';
    let where = '';
    child.stdout!.on('data', (d) => (output += d));
    child.stdio[3]!.on('data', (d) => (where += d));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code: code ?? 1, output, cwd: where.trim() || cwd }));
  });
}

/** Follow `core events` until the events happen in this order (from the first event of the stack). */
function waitForEvents(events: readonly { process: string; type: string }[], timeoutMs = 15_000): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(path.join(bin, 'core'), ['events', '-f', '--json'], { cwd, env, stdio: ['ignore', 'pipe', 'inherit'] });
    let next = 0;
    const done = (error?: Error) => {
      clearTimeout(timer);
      child.kill();
      error ? reject(error) : resolve();
    };
    const timer = setTimeout(
      () => done(new Error(`timed out after ${timeoutMs} ms waiting for ${events.map((e) => `${e.process} ${e.type}`).join(', ')} (saw ${next})`)),
      timeoutMs,
    );
    readline.createInterface({ input: child.stdout }).on('line', (line) => {
      const event = JSON.parse(line) as { process: string | null; type: string };
      const want = events[next]!;
      if (event.process === want.process && event.type === want.type && ++next === events.length) done();
    });
    child.once('close', () => next < events.length && done(new Error(`core events ended before ${events[next]!.process} ${events[next]!.type}`)));
  });
}

async function run(step: DocStep): Promise<void> {
  const where = `${path.relative(REPO, DOC)} line ${step.line}`;
  if (step.kind === 'file') {
    fs.mkdirSync(path.dirname(path.join(cwd, step.path)), { recursive: true });
    fs.writeFileSync(path.join(cwd, step.path), step.text);
  } else if (step.kind === 'wait') {
    await waitForEvents(step.events);
  } else {
    const result = await sh(shift.command(step.command));
    cwd = result.cwd;
    const output = shift.output(result.output);
    expect(result.code, `${where}: \`${step.command}\` exited ${result.code}:\n${output}`).toBe(0);
    const mismatch = outputMismatch(step.expected, output);
    expect(mismatch, `${where}: \`${step.command}\` printed what the page does not show: ${mismatch}\n--- whole output:\n${output}`).toBeUndefined();
  }
}

describe('docs/getting-started.md', () => {
  const steps = parseWalkthrough(fs.readFileSync(DOC, 'utf8'));

  it('is a walk-through: an empty folder, core init, a Node service with a watch, an edit, the restart', () => {
    const commands = steps.flatMap((s) => (s.kind === 'command' ? [s.command] : []));
    expect(commands[0]).toMatch(/^mkdir my-app && cd my-app$/);
    for (const wanted of [/^core init$/, /^core up -d$/, /^core up$/, /^sed -i .* services\/api\/server\.js$/, /^core events/, /^core logs api$/, /^core down$/]) {
      expect(
        commands.some((c) => wanted.test(c)),
        String(wanted),
      ).toBe(true);
    }
    const manifest = steps.find((s) => s.kind === 'file' && s.path === 'services/api/service.json');
    expect(manifest && JSON.parse((manifest as { text: string }).text).process.watch).toBeDefined();
  });

  it('a drifted line fails the comparison ("…" is any text within one line, spaces are spaces)', () => {
    expect(lineMatches('stopped in … ms', 'stopped in 54 ms')).toBe(true);
    expect(lineMatches('nats   Running  …  0', 'nats Running 1234 0')).toBe(true);
    expect(lineMatches('hello from api', 'hello again')).toBe(false);
    expect(lineMatches('stopped in … ms', 'stopped in 54 ms\nextra')).toBe(false);
    expect(outputMismatch(['a', 'b'], 'a\n')).toMatch(/ended before line 2/);
    expect(outputMismatch(['a'], 'a\nb\n')).toMatch(/line 2 is not on the page/);
  });

  it('every command runs and prints what the page shows', async () => {
    for (const step of steps) await run(step);
  }, 60_000);
});
