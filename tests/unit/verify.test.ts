/** `core verify`'s pure parts: what it checks in a plan, how chains run and fail, how errors and reports read. */
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { ProcessState } from '../../src/engine/index.js';
import { validateManifests, type ManifestFile } from '../../src/manifest/validate.js';
import { resolvePlan } from '../../src/plan/resolve.js';
import { parseSettings } from '../../src/support/settings.js';
import { withCleanUp } from '../../src/verify/clean-up.js';
import { describeError, TimedOut } from '../../src/verify/describe-error.js';
import { renderReport, withStateHints } from '../../src/verify/render.js';
import { runChains } from '../../src/verify/run.js';
import { failedNatsConnects, natsChain } from '../../src/verify/nats-check.js';
import { selectProcesses, verifyTargets } from '../../src/verify/targets.js';
import { StepFailure, type Chain } from '../../src/verify/types.js';
import { FAKE_ROOT, FAKE_SELF, repoManifestFiles } from '../helpers/stack.js';

function plan(edit: Record<string, (m: any) => void> = {}, env: Record<string, string> = {}, credentials = {}) {
  const files: ManifestFile[] = repoManifestFiles().map((f) => {
    if (!edit[f.dir]) return f;
    const json = JSON.parse(f.text!);
    edit[f.dir]!(json);
    return { ...f, text: JSON.stringify(json) };
  });
  const { manifests, issues } = validateManifests(files);
  if (issues.length) throw new Error(issues.map((i) => `${i.file}: ${i.path}: ${i.message}`).join('\n'));
  return resolvePlan({ manifests, settings: parseSettings({ root: FAKE_ROOT, processEnv: env, homeDir: '/home/u' }), self: FAKE_SELF, credentials });
}

describe('verify targets', () => {
  it('the default stack: NATS on its client port, PocketBase fronted by Caddy, the superuser from the environment', () => {
    const targets = verifyTargets(plan({}, { CORE_POCKETBASE_ADMIN_PASSWORD: 'pw-123456789' }), {});
    expect(targets).toEqual([
      { kind: 'nats', service: 'nats', servers: [{ host: '127.0.0.1', port: 4222 }], jetstream: true },
      {
        kind: 'pocketbase',
        name: 'pocketbase',
        address: { host: '127.0.0.1', port: 8090 },
        fronts: [{ name: 'caddy', address: { host: '127.0.0.1', port: 2015 } }],
        superuser: { email: 'admin@example.com', password: 'pw-123456789', passwordEnv: 'CORE_POCKETBASE_ADMIN_PASSWORD' },
      },
    ]);
  });

  it('no superuser password: the round trip will say which variable is missing', () => {
    const [, pb] = verifyTargets(plan(), {});
    expect(pb).toMatchObject({ superuser: { missing: expect.stringContaining('CORE_POCKETBASE_ADMIN_PASSWORD is not set') } });
  });

  it('ports of the running stack win over the plan; a wildcard host is reached on loopback', () => {
    const [nats] = verifyTargets(plan(), { nats: { client: { port: 5000, host: '0.0.0.0' } } });
    expect(nats).toMatchObject({ servers: [{ host: '127.0.0.1', port: 5000 }] });
  });

  it('a cluster is one target on every node; hub-spoke on its hubs, not its leaves', () => {
    const cluster = verifyTargets(plan({ nats: (m) => ((m.config.topology = 'cluster'), (m.config.deployment = { local: { nodes: 3 } })) }), {});
    expect(cluster[0]).toMatchObject({ service: 'nats', servers: [4222, 4223, 4224].map((port) => ({ host: '127.0.0.1', port })) });
    const hubSpoke = verifyTargets(plan({ nats: (m) => ((m.config.topology = 'hub-spoke'), (m.config.deployment = { local: { hub_nodes: 2, leaf_regions: ['lhr'] } })) }), {});
    expect(hubSpoke.filter((t) => t.kind === 'nats')).toEqual([expect.objectContaining({ servers: [4222, 4223].map((port) => ({ host: '127.0.0.1', port })) })]);
  });

  it('NATS with user-password auth: the plan credentials, user core', () => {
    const [nats] = verifyTargets(plan({ nats: (m) => (m.config.auth = 'user-password') }, {}, { nats: { user: 'core', password: 'secretpassword1234' } }), {});
    expect(nats).toMatchObject({ credentials: { user: 'core', password: 'secretpassword1234' } });
  });

  it('by default, what the running stack was asked to run: not the processes it never started, but those stopped since', () => {
    const status: Record<string, string> = { nats: 'Running', pocketbase: 'Disabled', caddy: 'Completed' };
    expect([...selectProcesses(plan(), [], (name) => status[name])]).toEqual(['nats', 'caddy']);
    expect([...selectProcesses(plan(), ['pocketbase'], (name) => status[name])]).toEqual(['pocketbase']);
  });

  it('only the named processes; naming Caddy verifies the PocketBase behind it', () => {
    const p = plan();
    expect(verifyTargets(p, {}, new Set(['nats'])).map((t) => t.kind)).toEqual(['nats']);
    expect(verifyTargets(p, {}, new Set(['caddy'])).map((t) => t.kind)).toEqual(['pocketbase']);
  });
});

const step = (name: string, run: Chain['steps'][number]['run']) => ({ name, hop: `client → ${name}`, run });

describe('running chains', () => {
  it('a failed step stops its chain (the rest not run, not ok), not the other chains; close runs anyway', async () => {
    const closed: string[] = [];
    const report = await runChains(
      [
        {
          steps: [
            step('a', async () => {
              throw new StepFailure('broken');
            }),
            step('b', async () => {}),
          ],
          close: async () => void closed.push('first'),
        },
        { steps: [step('c', async () => ({ skipped: 'nothing to check' }))] },
      ],
      1000,
    );
    expect(report.ok).toBe(false);
    expect(report.steps.map(({ ms: _, ...s }) => s)).toEqual([
      { name: 'a', hop: 'client → a', ok: false, error: 'broken' },
      { name: 'b', hop: 'client → b', ok: false, skipped: 'not run: "a" failed' },
      { name: 'c', hop: 'client → c', ok: true, skipped: 'nothing to check' },
    ]);
    expect(closed).toEqual(['first']);
  });

  it('a step that never answers fails in its time, and its signal is aborted', async () => {
    let aborted = false;
    const report = await runChains(
      [
        {
          steps: [
            step('hang', (signal) => {
              signal.addEventListener('abort', () => (aborted = true));
              return new Promise(() => {});
            }),
          ],
        },
      ],
      50,
    );
    expect(report.steps[0]).toMatchObject({ ok: false, error: 'timed out after 50 ms' });
    expect(aborted).toBe(true);
  });
});

describe('cleaning up what a step wrote', () => {
  const fails = (message: string) => async () => {
    throw new StepFailure(message);
  };
  it('runs after a failure; a clean-up that fails too is told after the failure', async () => {
    let cleaned = false;
    const cleanUp = async () => ((cleaned = true), 'the temporary stream X could not be deleted');
    await expect(withCleanUp(fails('publish failed'), cleanUp, 100)).rejects.toThrow('publish failed; the temporary stream X could not be deleted');
    expect(cleaned).toBe(true);
    await expect(withCleanUp(async () => {}, cleanUp, 100)).rejects.toThrow(/^the temporary stream X could not be deleted$/);
    await expect(withCleanUp(fails('publish failed'), async () => undefined, 100)).rejects.toThrow(/^publish failed$/);
    await expect(
      withCleanUp(
        async () => {},
        async () => undefined,
        100,
      ),
    ).resolves.toBeUndefined();
  });
});

describe('errors and reports', () => {
  it('says what happened in a few words, from the cause a client wraps', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:2015'), { code: 'ECONNREFUSED' });
    expect(describeError(new TypeError('fetch failed', { cause: refused }), 2000)).toBe('connection refused');
    expect(describeError(new Error('connection refused', { cause: refused }), 2000)).toBe('connection refused');
    expect(describeError(Object.assign(new Error('timeout'), { name: 'TimeoutError' }), 2000)).toBe('timed out after 2000 ms');
    expect(describeError(new TimedOut(300), 2000)).toBe('timed out after 300 ms');
  });

  it('a line per step, then the first failure with its hop; a stopped process is named', () => {
    const states = new Map([['caddy', { name: 'caddy', is_running: false, status: 'Completed' } as ProcessState]]);
    const report = withStateHints(
      {
        ok: false,
        steps: [
          { name: 'nats: publish/subscribe', hop: 'client → nats (127.0.0.1:4222)', ok: true, ms: 3 },
          { name: 'caddy → pocketbase: health', hop: 'client → caddy (127.0.0.1:2015) → pocketbase', ok: false, ms: 1, error: 'connection refused' },
          { name: 'pocketbase: record round trip', hop: 'client → caddy (127.0.0.1:2015) → pocketbase', ok: false, ms: 0, skipped: 'not run' },
        ],
      },
      states,
    );
    expect(renderReport(report, 10)).toEqual([
      '✓ nats: publish/subscribe        3 ms',
      '✗ caddy → pocketbase: health     1 ms',
      '– pocketbase: record round trip  not run',
      '',
      'verify failed at "caddy → pocketbase: health"',
      '  hop:   client → caddy (127.0.0.1:2015) → pocketbase',
      '  error: connection refused (core status: caddy is Completed)',
    ]);
  });
});

/** A TCP server on loopback that greets each connection with `greeting` and then says nothing more. */
const servers: { server: net.Server; sockets: Set<net.Socket> }[] = [];
afterEach(async () => {
  for (const { server, sockets } of servers.splice(0)) {
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => server.close(resolve));
  }
});
async function silentAfter(greeting: string): Promise<number> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.write(greeting);
  });
  servers.push({ server, sockets });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as net.AddressInfo).port;
}

describe('the NATS steps against servers that misbehave', () => {
  it('a server that greets and then answers nothing: the step fails in its time, the connect counted as failed', async () => {
    const port = await silentAfter('INFO {"server_id":"fake","version":"2.14.5","max_payload":1048576}\r\n');
    const before = failedNatsConnects();
    const report = await runChains([natsChain({ kind: 'nats', service: 'nats', servers: [{ host: '127.0.0.1', port }], jetstream: true }, 300)], 300);
    expect(report.steps[0]).toMatchObject({ name: 'nats: publish/subscribe', hop: `client → nats (127.0.0.1:${port})`, ok: false, error: 'timed out after 300 ms' });
    expect(report.steps[1]).toMatchObject({ ok: false, skipped: 'not run: "nats: publish/subscribe" failed' });
    expect(failedNatsConnects()).toBe(before + 1);
  });

  it('something else on the port is named as not a NATS server', async () => {
    const port = await silentAfter('SSH-2.0-OpenSSH_9.2\r\n');
    const report = await runChains([natsChain({ kind: 'nats', service: 'nats', servers: [{ host: '127.0.0.1', port }], jetstream: true }, 300)], 300);
    expect(report.steps[0]!.error).toBe('not a NATS server (it greets with "SSH-2.0-OpenSSH_9.2")');
  });
});
