/**
 * The process-compose adapter's reload (engines/process-compose/reload.ts):
 * what its file leaves out, and that only process-compose's own child with
 * the start time it was listed with is signalled. A real `sleep` stands for
 * the server (SIGHUP ends it, so a signal that arrives is seen); the config
 * check and /varz are faked.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import type { ComposeDoc } from '../../src/compose/schema.js';
import type { ControlClient } from '../../src/control/client.js';
import type { ReloadTools } from '../../src/engine/reload.js';
import { pcDocument, reloadUnderPc } from '../../src/engines/process-compose/reload.js';
import { doc } from './fakes.js';

const NEW = `sha256:${'b'.repeat(64)}`;
const OLD = `sha256:${'a'.repeat(64)}`;
const verify = { test_argv: ['/dep/nats-server', '-t', '-c', '/c.conf'], varz_url: 'http://127.0.0.1:1/varz' };

function natsDoc(withVerify = true): ComposeDoc {
  return doc({
    'nats-1': { 'x-core': { service: 'nats', reload: { signal: 1, sha256: 'e'.repeat(64), ...(withVerify ? { verify } : {}) } } },
    app: { 'x-core': { service: 'app' } },
  });
}

const children: ChildProcess[] = [];
afterEach(() => {
  for (const child of children.splice(0)) child.kill('SIGKILL');
});

function sleeper(): Promise<ChildProcess> {
  const child = spawn('sleep', ['30'], { stdio: 'ignore' });
  children.push(child);
  return new Promise((resolve) => child.once('spawn', () => resolve(child)));
}

/** /varz shows the new digest once the child is gone (it took the signal). */
function tools(child: ChildProcess): ReloadTools {
  return {
    test: () => Promise.resolve({ code: 0, output: `nats-server: configuration file /c.conf is valid (${NEW})` }),
    digest: () => Promise.resolve({ ok: true, digest: child.signalCode === 'SIGHUP' ? NEW : OLD }),
  };
}

const client = (pid: number) =>
  ({
    processes: () => Promise.resolve([{ name: 'nats-1', is_running: true, pid }]),
    logs: () => Promise.resolve(['a line']),
  }) as unknown as ControlClient;

describe('reload under process-compose', () => {
  it('its file leaves out the reload of a process with verify (it would restart on it), and keeps one without', () => {
    expect(pcDocument(natsDoc()).processes['nats-1']!['x-core']).toEqual({ service: 'nats' });
    expect(pcDocument(natsDoc(false)).processes['nats-1']!['x-core']).toHaveProperty('reload');
    expect(pcDocument(natsDoc()).processes.app).toEqual(natsDoc().processes.app);
  });

  it("signals the pid process-compose reports when it is process-compose's child, and verifies", async () => {
    const child = await sleeper();
    const exited = new Promise((resolve) => child.once('exit', resolve));
    const outcomes = await reloadUnderPc({ doc: natsDoc(), status: {}, client: client(child.pid!), pcPid: process.pid, envOf: () => ({}), tools: tools(child) });
    await exited;
    expect(child.signalCode).toBe('SIGHUP');
    expect(outcomes).toMatchObject([{ ok: true, name: 'nats-1', signalled: true, digest: NEW }]);
  });

  it('never signals a pid that is not its child (a pid reused since it was listed)', async () => {
    const child = await sleeper();
    const outcomes = await reloadUnderPc({ doc: natsDoc(), status: {}, client: client(child.pid!), pcPid: 1, envOf: () => ({}), tools: tools(child) });
    expect(outcomes).toMatchObject([{ ok: true, name: 'nats-1', signalled: false }]);
    expect(child.exitCode).toBeNull();
    expect(child.signalCode).toBeNull();
  });

  it('leaves alone what process-compose itself started, restarted or removed', async () => {
    const child = await sleeper();
    for (const word of ['added', 'updated', 'removed']) {
      const outcomes = await reloadUnderPc({ doc: natsDoc(), status: { 'nats-1': word }, client: client(child.pid!), pcPid: process.pid, envOf: () => ({}), tools: tools(child) });
      expect(outcomes).toEqual([]);
    }
    expect(child.signalCode).toBeNull();
  });
});
