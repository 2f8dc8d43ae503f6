/**
 * Issue 13: CPU and memory of whole process groups from /proc. parseStat on
 * lines a real kernel writes (a command name with spaces and parentheses, a
 * zombie), and GroupSampler against a real child and the grandchild it forks.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import { once } from 'node:events';
import readline from 'node:readline';
import { performance } from 'node:perf_hooks';
import { afterEach, describe, expect, it } from 'vitest';
import { CLOCK_TICKS, GroupSampler, parseStat } from '../../src/observe/proc-sample.js';
import { waitFor } from '../helpers/e2e.js';

/** A /proc/<pid>/stat line: `comm` as the kernel writes it (in parentheses, unescaped), then fields 3… */
function statLine(pid: number, comm: string, state: string, { pgid = pid, utime = 250, stime = 50, start = 98765 } = {}): string {
  const rest = [state, '1', String(pgid), String(pgid), '0', '-1', '4194560', '100', '0', '0', '0', String(utime), String(stime), '0', '0', '20', '0', '1', '0', String(start)];
  return `${pid} (${comm}) ${[...rest, '1000000', '500', ...Array(30).fill('0')].join(' ')}\n`;
}

describe('parseStat', () => {
  it('reads pgid, start time and utime + stime', () => {
    expect(parseStat(1234, statLine(1234, 'node', 'S', { pgid: 1200 }))).toEqual({ pid: 1234, pgid: 1200, start: '98765', ticks: 300 });
  });

  it('takes a command name with spaces and parentheses, even one ending in ") S 1", by counting from the last ")"', () => {
    for (const comm of ['my cmd', 'a) b (c', 'x) S 1 2 3 (', ') )', '(']) {
      expect(parseStat(7, statLine(7, comm, 'R', { utime: 7, stime: 3 }))).toEqual({ pid: 7, pgid: 7, start: '98765', ticks: 10 });
    }
  });

  it('skips a zombie (its group and memory are gone) and a line that does not parse', () => {
    expect(parseStat(9, statLine(9, 'defunct thing', 'Z'))).toBeUndefined();
    expect(parseStat(9, '9 (cut) S 1 9')).toBeUndefined();
    expect(parseStat(9, statLine(9, 'x', 'S').replace(' 250 ', ' lots '))).toBeUndefined();
  });

  it("parses this very process's line", () => {
    const me = parseStat(process.pid, fs.readFileSync(`/proc/${process.pid}/stat`, 'latin1'));
    expect(me?.pid).toBe(process.pid);
    expect(me?.ticks).toBeGreaterThan(0);
  });
});

/** Its own stat, now. */
function ticksOf(pid: number): number {
  return parseStat(pid, fs.readFileSync(`/proc/${pid}/stat`, 'latin1'))?.ticks ?? 0;
}

/** Exited: no /proc entry, or a zombie not yet reaped. */
function gone(pid: number): boolean {
  try {
    return parseStat(pid, fs.readFileSync(`/proc/${pid}/stat`, 'latin1')) === undefined;
  } catch {
    return true;
  }
}

// The child leads its own group (as every supervised process does). On a line
// "fork" it forks a grandchild into its group that burns ~300 ms of CPU, prints
// "burnt <pid>" and idles; on "burn" it burns ~100 ms itself.
const PARENT = `
const { spawn } = require('node:child_process');
const burn = (ms) => { const t = process.cpuUsage(); while ((process.cpuUsage(t).user + process.cpuUsage(t).system) / 1000 < ms); };
process.stdin.setEncoding('utf8');
process.stdin.on('data', (line) => {
  if (line.includes('fork')) {
    const child = spawn(process.execPath, ['-e', ${JSON.stringify(
      "const t = process.cpuUsage(); while ((process.cpuUsage(t).user + process.cpuUsage(t).system) / 1000 < 300); console.log('burnt ' + process.pid); setInterval(() => {}, 60000);",
    )}], { stdio: ['ignore', 'inherit', 'inherit'] });
  }
  if (line.includes('burn')) { burn(100); console.log('burnt self'); }
});
console.log('up');
setInterval(() => {}, 60000);
`;

describe('GroupSampler with a real process group', () => {
  let child: ChildProcess | undefined;
  afterEach(() => {
    // The whole group: the grandchild too.
    if (child?.pid) {
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        // Gone already.
      }
    }
  });

  it('a first sample is a baseline (cpu null), then a delta in cores; the counter only grows; a process born into the group counts in full', async () => {
    child = spawn(process.execPath, ['-e', PARENT], { detached: true, stdio: ['pipe', 'pipe', 'inherit'] });
    const out: string[] = [];
    readline.createInterface({ input: child.stdout! }).on('line', (line) => out.push(line));
    await waitFor('the child to start', () => out.includes('up') || undefined, 10_000);
    const pid = child.pid!;
    const groups = new Map([['app', pid]]);
    const sampler = new GroupSampler();

    const first = sampler.sample(groups, performance.now()).get('app')!;
    expect(first.cpu).toBeNull();
    expect(first.cpuSecondsTotal).toBe(0); // the baseline: what it used before is not in the counter
    expect(first.processes).toBe(1);
    expect(first.rssBytes).toBeGreaterThan(1024 * 1024);

    // ~100 ms of CPU in the child itself.
    const ticksBefore = ticksOf(pid);
    child.stdin!.write('burn\n');
    await waitFor('the child to burn', () => out.includes('burnt self') || undefined, 10_000);
    const second = sampler.sample(groups, performance.now()).get('app')!;
    expect(typeof second.cpu).toBe('number');
    expect(second.cpu!).toBeGreaterThan(0);
    expect(second.cpuSecondsTotal).toBeGreaterThanOrEqual((ticksOf(pid) - ticksBefore) / CLOCK_TICKS - 0.02);

    // A grandchild forked into the group after the previous sample: all its ticks count.
    child.stdin!.write('fork\n');
    const burnt = await waitFor('the grandchild to burn', () => out.find((line) => /^burnt \d+$/.test(line)), 10_000);
    const grandchild = Number(burnt.split(' ')[1]);
    const third = sampler.sample(groups, performance.now()).get('app')!;
    expect(third.processes).toBe(2);
    expect(third.cpuSecondsTotal - second.cpuSecondsTotal).toBeGreaterThanOrEqual(ticksOf(grandchild) / CLOCK_TICKS);
    expect(third.cpuSecondsTotal - second.cpuSecondsTotal).toBeGreaterThanOrEqual(0.25);

    // The counter never goes back, also when the grandchild is gone.
    process.kill(grandchild, 'SIGKILL');
    await waitFor('the grandchild to be gone', () => gone(grandchild) || undefined);
    const fourth = sampler.sample(groups, performance.now()).get('app')!;
    expect(fourth.processes).toBe(1);
    expect(fourth.cpuSecondsTotal).toBeGreaterThanOrEqual(third.cpuSecondsTotal);

    // Not running any more: the total stays, memory and cpu go.
    child.kill('SIGKILL');
    await once(child, 'exit');
    const stopped = sampler.sample(new Map(), performance.now()).get('app')!;
    expect(stopped).toMatchObject({ cpu: null, rssBytes: 0, processes: 0 });
    expect(stopped.cpuSecondsTotal).toBe(fourth.cpuSecondsTotal);
  });
});
