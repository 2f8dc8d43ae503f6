/**
 * A throw-away project of tiny services (sleep, or a shell that double-forks a
 * daemon) with no NATS, PocketBase or Caddy, for the tests of "no process left
 * behind". Its processes are counted two ways: by the stack's mark (the code
 * under test) and, independently, by their working folder in /proc (every
 * service runs in `<project>/work`, and a daemon it forks inherits it).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runCore, type CliResult } from './cli.js';
import { stackProcesses } from '../../src/support/proc-scan.js';

export interface TinyService {
  readonly command: string;
  readonly args: readonly string[];
}

/** Sleeps until stopped. */
export const sleeper = (): TinyService => ({ command: 'sleep', args: ['7391'] });
/** Starts a daemon that leaves its process group and session (double fork + setsid), then sleeps. */
export const daemonizer = (): TinyService => ({ command: 'sh', args: ['-c', '(setsid sleep 7392 &); exec sleep 7391'] });

export interface TinyStack {
  readonly dir: string;
  readonly work: string;
  readonly stackDir: string;
  readonly env: Record<string, string>;
  core(...args: string[]): Promise<CliResult>;
}

export function tinyStack(services: Readonly<Record<string, TinyService>>, offset: number, extraEnv: Record<string, string> = {}): TinyStack {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'core-reap-'));
  const work = path.join(dir, 'work');
  fs.mkdirSync(work);
  for (const [name, service] of Object.entries(services)) {
    fs.mkdirSync(path.join(dir, 'services', name), { recursive: true });
    const manifest = { name, process: { command: service.command, args: service.args, working_dir: 'work' } };
    fs.writeFileSync(path.join(dir, 'services', name, 'service.json'), JSON.stringify(manifest));
  }
  const env = { CORE_PORT_OFFSET: String(offset), ...extraEnv };
  return { dir, work, stackDir: path.join(dir, '.core-stack'), env, core: (...args) => runCore(args, { cwd: dir, env, timeoutMs: 30_000 }) };
}

export function services(count: number, make: (index: number) => TinyService = sleeper): Record<string, TinyService> {
  return Object.fromEntries(Array.from({ length: count }, (_, i) => [`s${String(i).padStart(3, '0')}`, make(i)]));
}

function pids(): number[] {
  return fs
    .readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .map(Number);
}

/** Fields of /proc/<pid>/stat after the command name: [0] state, [1] ppid. */
function stat(pid: number): string[] | undefined {
  try {
    const text = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return text.slice(text.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined;
  }
}

const live = (pid: number) => {
  const fields = stat(pid);
  return fields !== undefined && fields[0] !== 'Z';
};

export function cmdline(pid: number): string {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim();
  } catch {
    return '';
  }
}

/** Live processes whose working folder is `dir` or under it: independent of the marks. */
export function byCwd(dir: string): number[] {
  return pids().filter((pid) => {
    try {
      const cwd = fs.readlinkSync(`/proc/${pid}/cwd`);
      return (cwd === dir || cwd.startsWith(`${dir}/`)) && live(pid);
    } catch {
      return false;
    }
  });
}

/** Live processes that carry the stack's mark. */
export function byMark(stack: TinyStack): number[] {
  return stackProcesses(stack.stackDir).map((p) => p.pid);
}

/** The `core` processes of the project (supervisor, guardian), by working folder and argv. */
export function coreProcesses(stack: TinyStack): number[] {
  return pids().filter((pid) => {
    try {
      return fs.readlinkSync(`/proc/${pid}/cwd`) === stack.dir && cmdline(pid).includes('core.js internal') && live(pid);
    } catch {
      return false;
    }
  });
}

/** A live child of `ppid` whose argv contains `text`. */
export function childOf(ppid: number, text: string): number | undefined {
  return pids().find((pid) => stat(pid)?.[1] === String(ppid) && live(pid) && cmdline(pid).includes(text));
}

/** SIGKILL by pid whatever of the project is still alive (cleanup between and after tests, not a check). */
export function killLeftovers(stack: TinyStack): void {
  for (const pid of new Set([...byCwd(stack.work), ...byMark(stack), ...coreProcesses(stack)])) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone
    }
  }
}

export function removeTinyStack(stack: TinyStack): void {
  killLeftovers(stack);
  fs.rmSync(stack.dir, { recursive: true, force: true });
}
