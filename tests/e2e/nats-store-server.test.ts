/**
 * The temporary nats-server that reads a stopped single node's store
 * (services/nats-migrate/store-server.ts, final-read.ts), with the real
 * nats-server 2.14.5 and the official clients: it reads the store whole into a
 * backup, carries the stack's marks, never has its password on its command
 * line, and is gone afterwards with its config folder; one that cannot start
 * says why, and the store stays as it was.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { environOf } from '../../src/control/marks.js';
import { readBackupIndex } from '../../src/services/nats-migrate/backup.js';
import { FinalReadError, readFinalStore } from '../../src/services/nats-migrate/final-read.js';
import type { CarryNeeded } from '../../src/services/nats-migrate/groups.js';
import { startStoreServer } from '../../src/services/nats-migrate/store-server.js';
import { stackId } from '../../src/support/proc-scan.js';
import { makeProject, runCore } from '../helpers/cli.js';
import { alive, freeOffset } from '../helpers/e2e.js';
import { healthy, NATS_SERVER, startNode, stopNode } from '../helpers/nats-servers.js';

let dir: string;
let base: string;
const MARKS = { CORE_STACK_ID: 'test-stack', CORE_STACK_RUN: '1234:5678' };
const need = (): CarryNeeded => ({ service: 'nats', from: ['nats'], to: [], base });

/** Every file under the store with its size: what "untouched" is checked against. */
const listing = (store: string) => (fs.readdirSync(store, { recursive: true }) as string[]).sort().map((f) => `${f}:${fs.statSync(path.join(store, f)).size}`);

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'core-store-server-'));
  base = path.join(dir, 'data/nats');
  const offset = await freeOffset([4222, 8222]);
  // A single node with a stream of 50 messages, then stopped: the store a change leaves behind.
  const node = startNode(dir, { name: 'nats', client: 4222 + offset, monitor: 8222 + offset, storeDir: base });
  try {
    await healthy(node);
    const nc = await connect({ servers: `127.0.0.1:${4222 + offset}` });
    await (await jetstreamManager(nc)).streams.add({ name: 'ORDERS', subjects: ['orders.>'] });
    const js = jetstream(nc);
    for (let i = 0; i < 50; i++) await js.publish(`orders.${i % 3}`, `order ${i}`);
    await nc.close();
  } finally {
    await stopNode(node);
  }
}, 30_000);

afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('a temporary nats-server on a stopped single node’s store', () => {
  it('serves the store on loopback with a password from its environment only, carries the marks, and is gone after stop()', async () => {
    const stack = fs.mkdtempSync(path.join(dir, 'stack-'));
    const server = await startStoreServer({ command: NATS_SERVER, members: [{ name: 'nats', storeDir: base }], workDir: stack, marks: MARKS });
    let pid: number | undefined;
    try {
      pid = server.pids[0];
      expect(server.servers).toEqual([expect.stringMatching(/^127\.0\.0\.1:\d+$/)]);
      const env = environOf(pid!);
      expect(env?.get('CORE_STACK_ID')).toBe('test-stack');
      expect(env?.get('CORE_STACK_PROCESS')).toBe('nats-carry');
      expect(fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8')).not.toContain(server.pass);
      const [folder] = fs.readdirSync(stack);
      expect(fs.statSync(path.join(stack, folder!)).mode & 0o777).toBe(0o700);
      expect(fs.readFileSync(path.join(stack, folder!, 'nats.conf'), 'utf8')).not.toContain(server.pass);
      await expect(connect({ servers: server.servers[0], reconnect: false })).rejects.toThrow(/Authorization/i); // no password, no entry
      const nc = await connect({ servers: server.servers[0], user: server.user, pass: server.pass });
      expect((await (await jetstreamManager(nc)).streams.info('ORDERS')).state.messages).toBe(50);
      await nc.close();
    } finally {
      await server.stop();
    }
    expect(alive(pid!)).toBe(false);
    expect(fs.readdirSync(stack)).toEqual([]);
    await server.stop(); // twice is fine
  });

  it('readFinalStore: every message into a backup folder, the store read only', async () => {
    const before = listing(path.join(base, 'jetstream', '$G'));
    const stack = fs.mkdtempSync(path.join(dir, 'stack-'));
    const read = await readFinalStore(need(), { command: NATS_SERVER, stackDir: stack, marks: MARKS });
    expect([read.streams.map((s) => s.name), read.messages]).toEqual([['ORDERS'], 50]);
    expect(readBackupIndex(read.dir!).source).toEqual(['nats']);
    expect(read.serverMs).toBeGreaterThan(0);
    expect(listing(path.join(base, 'jetstream', '$G')).filter((f) => !f.includes('/obs/'))).toEqual(before.filter((f) => !f.includes('/obs/')));
    expect(fs.readdirSync(stack)).toEqual([]);
    fs.rmSync(read.dir!, { recursive: true });
  });

  it('a server that cannot start: the reason with its last lines; the store untouched, no backup, nothing left behind', async () => {
    const stack = fs.mkdtempSync(path.join(dir, 'stack-'));
    const fake = path.join(dir, 'fake-nats-server');
    fs.writeFileSync(fake, '#!/bin/sh\necho "cannot open the store: test" >&2\nexit 3\n', { mode: 0o755 });
    const before = listing(base);
    const failed = await readFinalStore(need(), { command: fake, stackDir: stack, marks: MARKS }).catch((e: unknown) => e);
    expect(failed).toBeInstanceOf(FinalReadError);
    expect((failed as FinalReadError).message).toBe('a temporary nats-server on the old store of nats could not start: nats exited (code 3) before it was ready');
    expect((failed as FinalReadError).details).toEqual(['its last lines:', '  nats: cannot open the store: test']);
    const missing = await readFinalStore(need(), { command: path.join(dir, 'no-such-binary'), stackDir: stack, marks: MARKS }).catch((e: unknown) => e);
    expect((missing as Error).message).toMatch(/could not start: .*no-such-binary could not be started: spawn .* ENOENT/);
    expect(listing(base)).toEqual(before);
    const migrations = path.join(base, 'migrations');
    expect(fs.existsSync(migrations) ? fs.readdirSync(migrations) : []).toEqual([]);
    expect(fs.readdirSync(stack)).toEqual([]);
  });

  it('one left behind by a core that died is found and stopped by `core down` (the stack marks)', async () => {
    const project = makeProject({});
    try {
      const stackDir = path.join(project, '.core-stack');
      fs.mkdirSync(stackDir, { recursive: true });
      // A run whose owner is gone (pid 999999): as if the `core up` that started it had been SIGKILLed.
      const marks = { CORE_STACK_ID: stackId(stackDir), CORE_STACK_RUN: '999999:1' };
      const server = await startStoreServer({ command: NATS_SERVER, members: [{ name: 'nats', storeDir: base }], workDir: stackDir, marks });
      const pid = server.pids[0]!;
      expect(alive(pid)).toBe(true);
      const down = await runCore(['down'], { cwd: project, timeoutMs: 30_000 });
      expect(down.code).toBe(0);
      expect(alive(pid)).toBe(false);
      await server.stop(); // its folder
    } finally {
      fs.rmSync(project, { recursive: true, force: true });
    }
  });
});
