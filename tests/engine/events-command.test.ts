/**
 * `core events`' own logic (src/cli/commands/events.ts) against a real control
 * server in front of a fake-clock supervisor that keeps only 3 records: a seq
 * older than the supervisor keeps comes from events.ndjson, with no gap and no
 * duplicate; one that neither keeps is said, not hidden.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { events } from '../../src/cli/commands/events.js';
import { startEventLog } from '../../src/control/event-log.js';
import { acquireLock } from '../../src/control/lock.js';
import { controlPaths } from '../../src/control/paths.js';
import { startControlServer } from '../../src/control/server.js';
import { writeState } from '../../src/control/state-file.js';
import { identify } from '../../src/support/proc.js';
import { doc, harness } from './fakes.js';

const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

async function stack() {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'core-events-cmd-'));
  cleanup.push(() => fs.rmSync(root, { recursive: true, force: true }));
  fs.mkdirSync(path.join(root, 'services'));
  fs.mkdirSync(path.join(root, '.core-stack'), { mode: 0o700 });
  const paths = controlPaths(path.join(root, '.core-stack'));
  const lock = acquireLock(paths.lock);
  cleanup.push(() => lock.release());
  const h = harness(doc({ svc: { availability: { restart: 'always', backoff_seconds: 1 } } }), { journalCapacity: 3 });
  const log = startEventLog(paths.events, h.engine.journal);
  const server = await startControlServer(paths.socket, h.engine, { onProjectStop: () => {} });
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    await server.close();
    log.close();
  };
  cleanup.push(close);
  // waiting, starting, started, ready, exited, restart-scheduled: seqs 1–6, the supervisor keeps 4–6.
  h.engine.start();
  await h.clock.advance(0);
  h.spawner.last('svc').exit(1);
  await h.clock.advance(0);
  await new Promise((resolve) => setImmediate(resolve)); // the event log writes once a turn
  return { h, paths, close, ctx: { env: { CORE_ROOT: root }, self: [] } };
}

function capture() {
  let out = '';
  let err = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => ((out += String(chunk)), true));
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => ((err += String(chunk)), true));
  return {
    seqs: () =>
      out
        .trimEnd()
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line).seq as number),
    err: () => err,
  };
}

describe('core events (the command)', () => {
  it('takes what the supervisor no longer keeps from events.ndjson: every seq once, in order', async () => {
    const { h, ctx } = await stack();
    expect(h.engine.journal.since(0)).toMatchObject({ oldest: 4, complete: false });
    const io = capture();
    await events(ctx, { json: true, since: '1' });
    expect(io.seqs()).toEqual([2, 3, 4, 5, 6]);
    expect(io.err()).toBe('');
  });

  it('-f from an old seq: the file first (after a 410), then the supervisor live, until it stops', async () => {
    const { h, close, ctx } = await stack();
    const io = capture();
    const following = events(ctx, { json: true, follow: true, since: '0' });
    await vi.waitFor(() => expect(io.seqs()).toEqual([1, 2, 3, 4, 5, 6]));
    await h.clock.advance(1000); // the restart: starting, started, ready
    await vi.waitFor(() => expect(io.seqs().at(-1)).toBe(9));
    await h.engine.stop();
    await close();
    await following;
    expect(io.seqs()).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    expect(io.err()).toContain('the supervisor stopped');
    expect(io.err()).not.toContain('no longer kept');
  });

  it('says which seqs are kept nowhere, and prints the rest', async () => {
    const { paths, ctx } = await stack();
    fs.rmSync(paths.events);
    const io = capture();
    await events(ctx, { json: true });
    expect(io.seqs()).toEqual([4, 5, 6]);
    expect(io.err()).toContain('events 1…3 are no longer kept');
  });

  it('under process-compose: exit 2, saying it keeps no event log', async () => {
    const { paths, ctx } = await stack();
    writeState(paths.state, { version: 1, engine: 'process-compose', supervisor: identify(process.pid), started_at: '', socket: paths.pcSocket, ports: {}, processes: {} });
    await expect(events(ctx, {})).rejects.toMatchObject({ exitCode: 2, message: expect.stringContaining('process-compose keeps no event log') });
  });
});
