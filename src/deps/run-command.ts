/** Run a program without a shell, capture the tail of its output, bound it in time. */
import { spawn } from 'node:child_process';

export interface CommandResult {
  /** Set when the program could not be started at all (ENOENT, EACCES). */
  readonly spawnError?: string;
  readonly exitCode: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly timedOut: boolean;
  /** stdout and stderr interleaved, the last `maxOutput` characters. */
  readonly output: string;
}

export interface RunOptions {
  readonly env: Readonly<Record<string, string>>;
  readonly timeoutMs: number;
  readonly cwd?: string;
  readonly maxOutput?: number;
}

export function runCommand(file: string, args: readonly string[], options: RunOptions): Promise<CommandResult> {
  const maxOutput = options.maxOutput ?? 64 * 1024;
  return new Promise((resolve) => {
    let output = '';
    let timedOut = false;
    let spawnError: string | undefined;
    const child = spawn(file, args, {
      env: options.env,
      cwd: options.cwd,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const collect = (chunk: Buffer) => {
      output += chunk.toString('utf8');
      if (output.length > maxOutput) output = output.slice(-maxOutput);
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, options.timeoutMs);
    child.on('error', (error: NodeJS.ErrnoException) => {
      spawnError = error.code ?? error.message;
    });
    const finish = (exitCode: number | null, signal: NodeJS.Signals | null) => {
      clearTimeout(timer);
      resolve({ spawnError, exitCode, signal, timedOut, output });
    };
    child.on('close', finish);
    // A grandchild (a shell script's `sleep`) may hold the pipes open after the kill:
    // once timed out, do not wait for them to close.
    child.on('exit', (exitCode, signal) => {
      if (!timedOut) return;
      child.stdout.destroy();
      child.stderr.destroy();
      finish(exitCode, signal);
    });
  });
}

/** "exit 1", "killed by SIGKILL", "timed out after 5000 ms", "ENOENT". */
export function describeExit(result: CommandResult, timeoutMs: number): string {
  if (result.spawnError) return `could not start (${result.spawnError})`;
  if (result.timedOut) return `timed out after ${timeoutMs} ms`;
  if (result.signal) return `killed by ${result.signal}`;
  return `exit ${result.exitCode}`;
}

/** The last few non-empty lines of some output, for an error message. */
export function tailLines(output: string, count = 5): string {
  return output
    .split(/\r?\n/)
    .map((line) => line.trimEnd())
    .filter(Boolean)
    .slice(-count)
    .join(' | ');
}
