/**
 * Issue 9 item 3: a service printing without newlines (one endless line, or
 * binary) must not drive the supervisor's memory up. Through the built CLI,
 * with the real supervisor: its peak RSS (VmHWM) stays near the newline case
 * (~95 MB here) instead of 300–900 MB, and its log says lines were cut.
 * Linux only (reads /proc).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { runCore } from '../helpers/cli.js';
import { waitFor } from '../helpers/e2e.js';

const fixture = fileURLToPath(new URL('../fixtures/engine/no-newline.mjs', import.meta.url));
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'core-memory-'));
const env = { CORE_PORT_OFFSET: '41100' };
const core = (...args: string[]) => runCore(args, { cwd: dir, env, timeoutMs: 30_000 });
for (const kind of ['text', 'binary']) {
  fs.mkdirSync(path.join(dir, 'services', kind), { recursive: true });
  fs.writeFileSync(path.join(dir, 'services', kind, 'service.json'), JSON.stringify({ name: kind, process: { command: process.execPath, args: [fixture, kind, '200'] } }));
}
const logOf = (name: string) => {
  try {
    return fs.readFileSync(path.join(dir, '.core-stack/logs', `${name}.log`), 'utf8');
  } catch {
    return ''; // not written yet
  }
};
const peakKb = (pid: number) => Number(/VmHWM:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]);

afterAll(async () => {
  await core('down');
  fs.rmSync(dir, { recursive: true, force: true });
});

describe.runIf(process.platform === 'linux')('output without newlines', () => {
  it('400 MB without a newline keep the supervisor under 150 MB and are logged as cut lines', async () => {
    const up = await core('up', '-d');
    expect(up.code, up.stderr).toBe(0);
    // Both services print "done" after their 200 MB: by then the supervisor has read it all.
    await waitFor('both services done', () => ['text', 'binary'].every((n) => /^done$/m.test(logOf(n))), 20_000);
    const supervisor = JSON.parse(fs.readFileSync(path.join(dir, '.core-stack/state.json'), 'utf8')).supervisor.pid as number;
    const peakMb = peakKb(supervisor) / 1024;
    console.log(`supervisor peak RSS: ${Math.round(peakMb)} MB`);
    expect(peakMb).toBeLessThan(150);
    for (const name of ['text', 'binary']) {
      const lines = logOf(name).split('\n');
      expect(lines[0]).toMatch(/ … \[core: line cut at 16384 bytes\]$/);
      // The cut backs off up to 3 bytes so as not to split a UTF-8 character (random bytes may look like one).
      const dropped = Number(/^\[core: dropped (\d+) more bytes of a line longer than the limit\]$/.exec(lines[1] ?? '')?.[1]);
      expect(dropped - (200 * 2 ** 20 - 16384)).toBeGreaterThanOrEqual(0);
      expect(dropped - (200 * 2 ** 20 - 16384)).toBeLessThanOrEqual(3);
      if (name === 'text') expect(dropped).toBe(200 * 2 ** 20 - 16384);
      expect(lines[2]).toBe('done');
    }
  }, 40_000);
});
