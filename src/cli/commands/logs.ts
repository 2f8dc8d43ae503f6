/**
 * `core logs [svc] [-f] [-n N]`: reads the per-process log files under
 * .core-stack/logs/, so it works while the stack runs and after it stopped.
 * With -f it follows them (a file that shrinks was rotated: read it anew).
 */
import fs from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import pc from 'picocolors';
import { controlPaths } from '../../control/paths.js';
import { readState } from '../../control/state-file.js';
import { InputError } from '../../support/errors.js';
import { loadSettings } from '../../support/load-settings.js';
import type { CliContext } from '../context.js';

const FOLLOW_POLL_MS = 100;

/**
 * process-compose writes each line as JSON ({"level", "process", "message", …});
 * the built-in engine writes the line itself. Show the line either way.
 */
export function logLine(raw: string): string {
  if (!raw.startsWith('{"level":')) return raw;
  try {
    const entry = JSON.parse(raw) as { process?: unknown; message?: unknown };
    return typeof entry.process === 'string' && typeof entry.message === 'string' ? entry.message : raw;
  } catch {
    return raw;
  }
}

export async function logs(ctx: CliContext, service: string | undefined, options: { follow?: boolean; lines: string }): Promise<void> {
  const count = Number(options.lines);
  if (!Number.isInteger(count) || count < 0) throw new InputError('bad-flag', `-n: "${options.lines}" is not a whole number`);
  const paths = controlPaths(loadSettings(process.cwd(), ctx.env).stackDir);
  const dir = paths.logs;
  // The services of the last stack (the state file knows them): not the leftovers of
  // services since removed, nor process-compose's or the supervisor's own logs.
  const stackServices = readState(paths.state)?.ports;
  const available = fs.existsSync(dir)
    ? fs
        .readdirSync(dir)
        .filter((f) => f.endsWith('.log'))
        .map((f) => f.slice(0, -4))
        .filter((name) => (stackServices ? name in stackServices : !['core', 'process-compose'].includes(name)))
        .sort()
    : [];
  if (service && !available.includes(service)) {
    throw new InputError('unknown-service', `no logs for "${service}" in ${dir}`, [
      available.length ? `logs exist for: ${available.join(', ')}` : 'no logs yet: start the stack with `core up`',
    ]);
  }
  const names = service ? [service] : available;
  const width = Math.max(0, ...names.map((n) => n.length));
  const prefix = (name: string) => (names.length > 1 ? `${pc.cyan(name.padEnd(width))} | ` : '');
  const offsets = new Map<string, number>();
  for (const name of names) {
    const file = path.join(dir, `${name}.log`);
    const text = fs.readFileSync(file, 'utf8');
    const lines = text.split('\n');
    if (lines.at(-1) === '') lines.pop();
    for (const line of count === 0 ? [] : lines.slice(-count)) process.stdout.write(`${prefix(name)}${logLine(line)}\n`);
    offsets.set(name, Buffer.byteLength(text));
  }
  if (!options.follow) return;
  const partial = new Map<string, string>();
  for (;;) {
    await sleep(FOLLOW_POLL_MS);
    for (const name of names) {
      const file = path.join(dir, `${name}.log`);
      let size: number;
      try {
        size = fs.statSync(file).size;
      } catch {
        continue;
      }
      let offset = offsets.get(name) ?? 0;
      if (size < offset) offset = 0; // rotated
      if (size === offset) continue;
      const fd = fs.openSync(file, 'r');
      const buffer = Buffer.alloc(size - offset);
      fs.readSync(fd, buffer, 0, buffer.length, offset);
      fs.closeSync(fd);
      offsets.set(name, size);
      const text = (partial.get(name) ?? '') + buffer.toString('utf8');
      const lines = text.split('\n');
      partial.set(name, lines.pop() ?? '');
      for (const line of lines) process.stdout.write(`${prefix(name)}${logLine(line)}\n`);
    }
  }
}
