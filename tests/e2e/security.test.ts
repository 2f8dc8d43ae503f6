/**
 * Issue 9 items 10 and 11 with the real stack (offset 5900) and a second local
 * user (root-only parts skip elsewhere): Caddy's admin API is a unix socket
 * only its owner reaches, and NATS with `config.auth: "user-password"` refuses
 * a connection without the generated credentials, while a dependent service
 * gets them in its environment and everything still serves.
 */
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { connect } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { credentialsFile } from '../../src/services/credentials-file.js';
import { e2eProject, isListening } from '../helpers/e2e.js';
import { canUseSecondUser, runAsOtherUser } from '../helpers/second-user.js';

const OFFSET = 5900;
const TRANSPORT = import.meta.resolve('@nats-io/transport-node');

// A dependent service that answers on NATS with the credentials it was given.
const ECHO = `const { connect } = await import(${JSON.stringify(TRANSPORT)});
const nc = await connect({ servers: process.env.NATS_SERVER, user: process.env.NATS_USER, pass: process.env.NATS_PASSWORD });
nc.subscribe('e2e.ping', { callback: (_err, msg) => msg.respond('pong') });
await nc.flush();
console.log('echo connected');
await nc.closed();
`;

const project = e2eProject(OFFSET, {
  nats: (m) => ((m.config.auth = 'user-password'), m),
  'nats-echo': () => ({
    $schema: '../../schema/service.schema.json',
    name: 'nats-echo',
    process: {
      command: process.execPath,
      args: ['echo.mjs'],
      working_dir: 'services/nats-echo',
      env: {
        NATS_SERVER: '${svc.nats.port.client.host}:${svc.nats.port.client}',
        NATS_USER: '${svc.nats.auth.user}',
        NATS_PASSWORD: '${svc.nats.auth.password}',
      },
      compose: { depends_on: { nats: { condition: 'process_healthy' } }, ready_log_line: 'echo connected' },
    },
  }),
});
fs.writeFileSync(path.join(project.dir, 'services/nats-echo/echo.mjs'), ECHO);

const natsPort = project.port(4222);
const adminSocket = path.join(project.dir, '.core-stack/caddy/admin.sock');
const passwordFile = credentialsFile(path.join(project.dir, '.data'), 'nats');
const state = () => JSON.parse(fs.readFileSync(path.join(project.dir, '.core-stack/state.json'), 'utf8'));

/** A request to Caddy's admin API on its unix socket (an empty Host, as Caddy wants there). */
function admin(method: string, route: string, body?: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { socketPath: adminSocket, path: route, method, setHost: false, headers: { host: '', ...(body ? { 'content-type': 'application/json' } : {}) } },
      (res) => {
        let text = '';
        res.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** TCP ports a process listens on, from /proc (no `ss` needed). */
function listeningPorts(pid: number): number[] {
  return listeners(pid).map((l) => l.port);
}

/** TCP listeners of a process as `address:port` (IPv4 addresses as /proc writes them: little-endian hex). */
function listeners(pid: number): { address: string; port: number }[] {
  const inodes = new Set(
    fs.readdirSync(`/proc/${pid}/fd`).flatMap((fd) => {
      try {
        return [/^socket:\[(\d+)\]$/.exec(fs.readlinkSync(`/proc/${pid}/fd/${fd}`))?.[1]].filter((x): x is string => Boolean(x));
      } catch {
        return [];
      }
    }),
  );
  const found: { address: string; port: number }[] = [];
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    for (const line of fs.readFileSync(table, 'utf8').split('\n').slice(1)) {
      const fields = line.trim().split(/\s+/);
      if (fields[3] !== '0A' || !inodes.has(fields[9]!)) continue;
      const [hex, port] = fields[1]!.split(':');
      const address =
        hex!.length === 8
          ? hex!
              .match(/../g)!
              .reverse()
              .map((b) => parseInt(b, 16))
              .join('.')
          : hex!;
      found.push({ address, port: parseInt(port!, 16) });
    }
  }
  return found.sort((a, b) => a.port - b.port);
}

// As the other user: speak the NATS protocol by hand (no client library to read), and report what the server says.
const RAW_NATS = `const s = require('net').connect(Number(process.argv[1]), '127.0.0.1');
let out = '';
s.on('data', (d) => { out += d; if (out.includes('\\r\\n') && !s.sent) { s.sent = true; s.write('CONNECT ' + (process.argv[2] || '{}') + '\\r\\nPING\\r\\n'); } if (/PONG|-ERR/.test(out)) { console.log(out.includes('PONG') ? 'accepted' : 'refused: ' + out.split('\\r\\n').find((l) => l.startsWith('-ERR'))); process.exit(0); } });
s.on('error', (e) => { console.log('error: ' + e.code); process.exit(0); });
setTimeout(() => { console.log('timeout'); process.exit(0); }, 5000);`;

beforeAll(async () => {
  const up = await project.core('up', '-d');
  expect(up.code, up.stderr + up.stdout).toBe(0);
}, 90_000);

afterAll(async () => {
  await project.core('down');
  fs.rmSync(project.dir, { recursive: true, force: true });
});

describe('what listens where', () => {
  it('every TCP listener of the stack is on loopback, and the control socket is 0600', () => {
    const { processes } = state();
    expect(Object.keys(processes).sort()).toEqual(['caddy', 'nats', 'nats-echo', 'pocketbase']);
    const all = Object.fromEntries(Object.entries(processes).map(([name, p]) => [name, listeners((p as { pid: number }).pid)]));
    expect(all).toEqual({
      nats: [
        { address: '127.0.0.1', port: project.port(4222) },
        { address: '127.0.0.1', port: project.port(8222) },
      ].sort((a, b) => a.port - b.port),
      pocketbase: [{ address: '127.0.0.1', port: project.port(8090) }],
      caddy: [{ address: '127.0.0.1', port: project.port(2015) }],
      'nats-echo': [],
    });
    expect(fs.statSync(path.join(project.dir, '.core-stack/core.sock')).mode & 0o777).toBe(0o600);
  });

  it.runIf(canUseSecondUser)("keeps another local user out of the control socket, the stack folder and PocketBase's data", async () => {
    fs.chmodSync(project.dir, 0o755);
    const control = await runAsOtherUser('curl', ['-sS', '--unix-socket', path.join(project.dir, '.core-stack/core.sock'), 'http://x/processes']);
    expect(control.code).not.toBe(0);
    expect(control.stdout).toBe('');
    for (const target of ['.core-stack/logs/pocketbase.log', '.core-stack/nats/nats.conf', '.data/pocketbase/data.db']) {
      const read = await runAsOtherUser('cat', [path.join(project.dir, target)]);
      expect(read.code, target).not.toBe(0);
      expect(read.stdout).toBe('');
    }
  });
});

describe("Caddy's admin API", () => {
  it('listens on a unix socket in the stack folder, and Caddy on no TCP port but its own', async () => {
    expect(fs.statSync(adminSocket).isSocket()).toBe(true);
    expect(fs.statSync(path.join(project.dir, '.core-stack')).mode & 0o077).toBe(0);
    const config = await admin('GET', '/config/');
    expect(config.status).toBe(200);
    expect(JSON.parse(config.body).admin.listen).toBe(`unix/${adminSocket}`);
    expect(listeningPorts(state().processes.caddy.pid)).toEqual([project.port(2015)]);
    expect(await isListening(project.port(2019))).toBe(false);
  });

  it.runIf(canUseSecondUser)('is out of reach of another local user, who cannot change the config', async () => {
    // Open the project folder itself, as a user might: .core-stack (0700) must still keep them out.
    fs.chmodSync(project.dir, 0o755);
    const route = JSON.stringify({ handle: [{ handler: 'file_server', root: path.join(project.dir, '.data') }] });
    for (const args of [
      ['--unix-socket', adminSocket, '-sS', '-H', 'Host:', 'http://x/config/'],
      ['--unix-socket', adminSocket, '-sS', '-H', 'Host:', '-X', 'PUT', '-H', 'Content-Type: application/json', '-d', route, 'http://x/config/apps/http/servers/core/routes/0'],
      ['-sS', '-X', 'POST', '-H', 'Content-Type: application/json', '-d', '{}', `http://127.0.0.1:${project.port(2019)}/load`],
      // Not Caddy's built-in 127.0.0.1:2019 either: the test above shows Caddy listens on its HTTP port
      // alone (listeningPorts), and whatever else holds 2019 on a shared machine is no concern of this test.
    ]) {
      const attempt = await runAsOtherUser('curl', args);
      expect(attempt.code, `curl ${args.join(' ')}: ${attempt.stdout}`).not.toBe(0);
      expect(attempt.stdout).toBe('');
    }
    // Nothing changed: no file server, the admin API still on its socket.
    const after = await admin('GET', '/config/');
    expect(after.body).not.toContain('file_server');
    expect(JSON.parse(after.body).admin.listen).toBe(`unix/${adminSocket}`);
    const health = await fetch(`http://127.0.0.1:${project.port(2015)}/api/health`);
    expect(health.status).toBe(200);
  });
});

describe('NATS with config.auth "user-password"', () => {
  const password = () => fs.readFileSync(passwordFile, 'utf8').trim();

  it('refuses a connection without the credentials and accepts one with them', async () => {
    await expect(connect({ servers: `127.0.0.1:${natsPort}`, reconnect: false })).rejects.toThrow(/Authorization Violation/);
    await expect(connect({ servers: `127.0.0.1:${natsPort}`, user: 'core', pass: 'wrong-password', reconnect: false })).rejects.toThrow(/Authorization Violation/);
    const nc = await connect({ servers: `127.0.0.1:${natsPort}`, user: 'core', pass: password(), reconnect: false });
    try {
      // The dependent service got the credentials in its environment and is connected.
      const reply = await nc.request('e2e.ping', '', { timeout: 5000 });
      expect(reply.string()).toBe('pong');
    } finally {
      await nc.close();
    }
  });

  it('keeps the password off every command line and out of every generated file', () => {
    const secret = password();
    for (const pid of fs.readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
      let cmdline = '';
      try {
        cmdline = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      } catch {
        continue; // gone meanwhile
      }
      expect(cmdline, `pid ${pid}`).not.toContain(secret);
    }
    for (const file of fs.readdirSync(path.join(project.dir, '.core-stack'), { recursive: true, withFileTypes: true })) {
      if (file.isFile()) expect(fs.readFileSync(path.join(file.parentPath, file.name), 'utf8'), file.name).not.toContain(secret);
    }
    expect(fs.readFileSync(path.join(project.dir, '.core-stack/nats/nats.conf'), 'utf8')).toContain('password: $CORE_NATS_AUTH_PASSWORD');
    expect(fs.statSync(passwordFile).mode & 0o777).toBe(0o600);
    expect(fs.statSync(path.dirname(passwordFile)).mode & 0o777).toBe(0o700);
  });

  it('still reports healthy through the monitoring port', async () => {
    const health = await fetch(`http://127.0.0.1:${project.port(8222)}/healthz?js-enabled-only=true`);
    expect(health.status).toBe(200);
  });

  it.runIf(canUseSecondUser)('keeps another local user out: no connection without the password, no reading the password file', async () => {
    fs.chmodSync(project.dir, 0o755);
    const anonymous = await runAsOtherUser(process.execPath, ['-e', RAW_NATS, String(natsPort)]);
    expect(anonymous.stdout.trim()).toBe("refused: -ERR 'Authorization Violation'");
    const guessed = await runAsOtherUser(process.execPath, ['-e', RAW_NATS, String(natsPort), JSON.stringify({ user: 'core', pass: 'guess' })]);
    expect(guessed.stdout.trim()).toBe("refused: -ERR 'Authorization Violation'");
    const read = await runAsOtherUser('cat', [passwordFile]);
    expect(read.code).not.toBe(0);
    expect(read.stdout).toBe('');
    // The same check as the owner, so the helper is known to work: with the password it is accepted.
    const owner = await runAsOtherUser(process.execPath, ['-e', RAW_NATS, String(natsPort), JSON.stringify({ user: 'core', pass: password() })]);
    expect(owner.stdout.trim()).toBe('accepted');
  });

  it('keeps the same password across down and up, so configured clients keep working', async () => {
    const before = password();
    expect((await project.core('down')).code).toBe(0);
    const up = await project.core('up', '-d');
    expect(up.code, up.stderr).toBe(0);
    expect(password()).toBe(before);
    const nc = await connect({ servers: `127.0.0.1:${natsPort}`, user: 'core', pass: before, reconnect: false });
    expect((await nc.request('e2e.ping', '', { timeout: 5000 })).string()).toBe('pong');
    await nc.close();
  }, 90_000);
});
