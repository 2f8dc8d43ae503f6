/**
 * Issue 10, the CLI on a running stack: `core up <svc>`, `core stop`, `core
 * start`, `core restart` with the current definition, a replacement that does
 * not become ready, and two applies at once. The real NATS, PocketBase and
 * Caddy plus a service of the test's own (a Node HTTP server that answers with
 * an environment value), through the built CLI; pids are compared before and
 * after every command.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ControlClient } from '../../src/control/client.js';
import { e2eProject, isListening, waitFor } from '../helpers/e2e.js';

// On the suite's offset lattice (tests/helpers/e2e.ts OFFSET_STEP): no port shared with another file.
const OFFSET = 7700;
const GREETER_PORT = 7400;
const project = e2eProject(OFFSET);
const client = () => new ControlClient(path.join(project.dir, '.core-stack/core.sock'), 5000);

/** Answers GREETING on its port, once the file RELEASE (if set) exists: a start-up the test ends. */
const SERVER = [
  "console.log('greeter says ' + process.env.GREETING);",
  "const listen = () => require('http').createServer((q, s) => s.end(process.env.GREETING)).listen(Number(process.env.PORT), '127.0.0.1');",
  'const release = process.env.RELEASE;',
  "const wait = () => (!release || require('fs').existsSync(release) ? listen() : setTimeout(wait, 20));",
  'wait();',
].join(' ');

interface GreeterOptions {
  readonly greeting?: string;
  /** Listen only once this file exists. */
  readonly release?: string;
  /** Replaces the server: a process that runs but never listens. */
  readonly script?: string;
}

function greeter(name: string, port: number, options: GreeterOptions = {}) {
  return {
    name,
    process: {
      command: process.execPath,
      args: ['-e', options.script ?? SERVER],
      env: { GREETING: options.greeting ?? '${env.E2E_GREETING:-hello}', PORT: '${port.http}', RELEASE: options.release ?? '' },
      compose: {
        depends_on: { nats: { condition: 'process_healthy' } },
        readiness_probe: { http_get: { url: 'http://127.0.0.1:${port.http}/' }, period_seconds: 1 },
      },
    },
    ports: { http: { port, protocol: 'http' } },
  };
}

function writeService(manifest: { name: string }): void {
  fs.mkdirSync(path.join(project.dir, 'services', manifest.name), { recursive: true });
  fs.writeFileSync(path.join(project.dir, 'services', manifest.name, 'service.json'), JSON.stringify(manifest, null, 2));
}

const writeEnv = (text: string) => fs.writeFileSync(path.join(project.dir, '.env'), text);

async function pids(): Promise<Record<string, number>> {
  return Object.fromEntries((await client().processes()).filter((p) => p.is_running).map((p) => [p.name, p.pid]));
}

/** `record` without the named entries: what must not have changed. */
const without = (record: Record<string, number>, ...names: string[]) => Object.fromEntries(Object.entries(record).filter(([name]) => !names.includes(name)));

const get = async (port: number) => (await fetch(`http://127.0.0.1:${port + OFFSET}/`)).text();

beforeAll(async () => {
  writeService(greeter('greeter', GREETER_PORT));
  const up = await project.core('up', '-d', 'nats');
  expect(up.code, up.stderr).toBe(0);
}, 60_000);

afterAll(async () => {
  await project.core('down');
  fs.rmSync(project.dir, { recursive: true, force: true });
});

describe('the CLI on a running stack (issue 10)', () => {
  it('core up <svc> starts that service and what it depends on; nothing else starts or changes', async () => {
    const before = await pids();
    expect(Object.keys(before)).toEqual(['nats']);
    // A service added since `up` and not named is not started (as `core up caddy` from nothing).
    writeService(greeter('extra', GREETER_PORT + 2));
    try {
      const up = await project.core('up', 'caddy');
      expect(up.code, up.stderr).toBe(0);
      expect(up.stdout).toMatch(/\^ pocketbase started, ready in \d+ ms/);
      expect(up.stdout).toMatch(/\^ caddy started, ready in \d+ ms/);
      expect(up.stdout).toMatch(/^\+ extra added$/m);
      const after = await pids();
      expect(Object.keys(after).sort()).toEqual(['caddy', 'nats', 'pocketbase']);
      expect(after.nats).toBe(before.nats);
      expect(await isListening(GREETER_PORT + 2 + OFFSET)).toBe(false);

      const greet = await project.core('up', 'greeter');
      expect(greet.code, greet.stderr).toBe(0);
      expect(greet.stdout).toMatch(/\^ greeter started, ready in \d+ ms/);
      expect(without(await pids(), 'greeter')).toEqual(after);
      expect(await get(GREETER_PORT)).toBe('hello');
    } finally {
      fs.rmSync(path.join(project.dir, 'services', 'extra'), { recursive: true });
      const removed = await project.core('up', 'greeter');
      expect(removed.code, removed.stderr).toBe(0);
    }
  }, 60_000);

  it('core stop <svc…> stops them, not their dependents, names those, and frees the ports', async () => {
    const before = await pids();
    expect(Object.keys(before).sort()).toEqual(['caddy', 'greeter', 'nats', 'pocketbase']);
    const stop = await project.core('stop', 'nats', 'pocketbase');
    expect(stop.code, stop.stderr).toBe(0);
    expect(stop.stdout).toContain('nats stopped; still running and depending on it: greeter');
    expect(stop.stdout).toContain('pocketbase stopped; still running and depending on it: caddy');
    expect(await pids()).toEqual(without(before, 'nats', 'pocketbase'));
    expect(await isListening(4222 + OFFSET)).toBe(false);
    expect(await isListening(8090 + OFFSET)).toBe(false);
    expect(await get(GREETER_PORT)).toBe('hello');
  }, 30_000);

  it('core start <svc> starts it again with what it depends on; the others keep their pids', async () => {
    const before = await pids();
    const start = await project.core('start', 'pocketbase');
    expect(start.code, start.stderr).toBe(0);
    expect(start.stdout).toMatch(/\^ nats started, ready in \d+ ms/);
    expect(start.stdout).toMatch(/\^ pocketbase started, ready in \d+ ms/);
    const after = await pids();
    expect(Object.keys(after).sort()).toEqual(['caddy', 'greeter', 'nats', 'pocketbase']);
    expect(without(after, 'nats', 'pocketbase')).toEqual(before);
    expect(await isListening(8090 + OFFSET)).toBe(true);
  }, 30_000);

  it('core restart <svc> takes a changed .env value, then a changed manifest; the others keep their pids', async () => {
    const before = await pids();
    writeEnv('E2E_GREETING=from-dotenv\n');
    const fromEnv = await project.core('restart', 'greeter', '--wait');
    expect(fromEnv.code, fromEnv.stderr).toBe(0);
    expect(await get(GREETER_PORT)).toBe('from-dotenv');
    const afterEnv = await pids();
    expect(afterEnv.greeter).not.toBe(before.greeter);
    expect(without(afterEnv, 'greeter')).toEqual(without(before, 'greeter'));

    writeService(greeter('greeter', GREETER_PORT, { greeting: 'from-manifest' }));
    const fromManifest = await project.core('restart', 'greeter');
    expect(fromManifest.code, fromManifest.stderr).toBe(0);
    // Without --wait it returns once started: wait for the new process to answer.
    await waitFor('the new greeter', async () => ((await get(GREETER_PORT).catch(() => '')) === 'from-manifest' ? true : undefined));
    const afterManifest = await pids();
    expect(afterManifest.greeter).not.toBe(afterEnv.greeter);
    expect(without(afterManifest, 'greeter')).toEqual(without(before, 'greeter'));
  }, 30_000);

  it("core restart <svc> takes only that service's definition: another's changed config file is not written", async () => {
    const caddyJson = path.join(project.dir, '.core-stack/caddy/caddy.json');
    const config = fs.readFileSync(caddyJson, 'utf8');
    const before = await pids();
    writeEnv(`E2E_GREETING=from-dotenv\nCORE_PORT_CADDY_HTTP=${2016 + OFFSET}\n`);
    try {
      const restart = await project.core('restart', 'greeter', '--wait');
      expect(restart.code, restart.stderr).toBe(0);
      expect(fs.readFileSync(caddyJson, 'utf8')).toBe(config);
      expect(without(await pids(), 'greeter')).toEqual(without(before, 'greeter'));
      const dry = await project.core('apply', '--dry-run');
      expect(dry.stdout).toMatch(/~ caddy would be replaced \(.*config files/);
    } finally {
      writeEnv('E2E_GREETING=from-dotenv\n');
    }
  }, 30_000);

  it('a stopped service starts with its definition as it is now; a service added since up starts by name', async () => {
    const stop = await project.core('stop', 'greeter');
    expect(stop.code, stop.stderr).toBe(0);
    const before = await pids();
    writeService(greeter('greeter', GREETER_PORT, { greeting: 'changed-while-stopped' }));
    writeService(greeter('late', GREETER_PORT + 1, { greeting: 'late' }));
    const start = await project.core('start', 'greeter', 'late');
    expect(start.code, start.stderr).toBe(0);
    expect(start.stdout).toMatch(/\+ late added, ready in \d+ ms/);
    expect(start.stdout).toMatch(/~ greeter replaced \(environment \(GREETING\)\), ready in \d+ ms/);
    expect(await get(GREETER_PORT)).toBe('changed-while-stopped');
    expect(await get(GREETER_PORT + 1)).toBe('late');
    expect(without(await pids(), 'greeter', 'late')).toEqual(before);
  }, 30_000);

  it('a replacement that does not become ready: exit 1 with its probe error and last log lines; the others untouched', async () => {
    const before = await pids();
    writeService(greeter('greeter', GREETER_PORT, { script: "console.log('greeter will never listen'); setInterval(() => {}, 1000)" }));
    const up = await project.core('up', '--timeout', '3');
    expect(up.code).toBe(1);
    expect(up.stderr).toMatch(/core: greeter not ready after 3000 ms/);
    expect(up.stderr).toMatch(/last probe error: .*(refused|ECONNREFUSED)/i);
    expect(up.stderr).toContain('last log lines of greeter:');
    expect(up.stderr).toContain('greeter will never listen');
    expect(up.stderr).not.toMatch(/\n\s+at /);
    expect(without(await pids(), 'greeter')).toEqual(without(before, 'greeter'));
    // The same through `core restart --wait`.
    const restart = await project.core('restart', 'greeter', '--wait', '--timeout', '2');
    expect(restart.code).toBe(1);
    expect(restart.stderr).toMatch(/core: greeter not ready after 2000 ms/);
    expect(restart.stderr).toContain('greeter will never listen');
    expect(without(await pids(), 'greeter')).toEqual(without(before, 'greeter'));

    writeService(greeter('greeter', GREETER_PORT, { greeting: 'mended' }));
    const mend = await project.core('up');
    expect(mend.code, mend.stderr).toBe(0);
    expect(await get(GREETER_PORT)).toBe('mended');
    expect(without(await pids(), 'greeter')).toEqual(without(before, 'greeter'));
  }, 30_000);

  it('two applies at once: the second is refused with a clear message, the first completes, nothing breaks', async () => {
    const before = await pids();
    const since = (await client().events()).last_seq;
    const release = path.join(project.dir, 'release-greeter');
    writeService(greeter('greeter', GREETER_PORT, { greeting: 'slow', release }));
    const first = project.core('up');
    await waitFor('the first apply to start', async () => ((await client().events(since)).events.some((e) => e.type === 'apply-started') ? true : undefined));
    const second = await project.core('apply');
    expect(second.code).toBe(1);
    expect(second.stderr).toMatch(/core: apply \d+ is in progress \(started \d+ ms ago\); try again when it has finished/);
    expect(second.stderr).not.toMatch(/\n\s+at /);
    fs.writeFileSync(release, '');
    const done = await first;
    expect(done.code, done.stderr).toBe(0);
    expect(done.stdout).toMatch(/~ greeter replaced \(environment \(GREETING, RELEASE\)\), ready in \d+ ms/);
    expect(await get(GREETER_PORT)).toBe('slow');
    expect(without(await pids(), 'greeter')).toEqual(without(before, 'greeter'));
    const again = await project.core('apply');
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toContain('no change');
  }, 30_000);
});
