/**
 * Temporary nats-servers on stores whose own servers have stopped, so the
 * carry-over reads the stores' final contents: every message the old servers
 * acknowledged before they stopped. A single node's store gets one standalone
 * server (safe: the orphan cleanup hits only a clustered server on a
 * standalone store); a cluster's stores get a cluster of as many servers under
 * the old servers' names (a standalone server cannot load a replicated
 * stream, and JetStream finds its peers by server name). On loopback, client
 * ports the kernel picks (a cluster's all picked at once, so they differ), with a one-off password passed
 * through its environment (never the command line), spawned without a shell
 * and carrying the stack's marks, so `core down` finds it if core dies. Its
 * output is kept for the error message. It never outlives the call that
 * started it: `stop()` in a finally, and a kill when core exits.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { PROCESS_MARK } from '../../engine/specs.js';

export interface StoreMember {
  /** The old process's name: its server name (a clustered store knows its peers by it). */
  readonly name: string;
  /** Its `store_dir`. */
  readonly storeDir: string;
}

export interface StoreServerOptions {
  /** The nats-server binary the plan runs (the service's planned command). */
  readonly command: string;
  /** One: a standalone server. Several: a cluster of them (`cluster` names it). */
  readonly members: readonly StoreMember[];
  readonly cluster?: string;
  /** Where the 0700 folder with their configs goes (the stack folder). */
  readonly workDir: string;
  /** The stack's marks (control/marks.ts). */
  readonly marks: Readonly<Record<string, string>>;
  readonly readyTimeoutMs?: number;
  readonly stopTimeoutMs?: number;
}

export interface StoreServer {
  /** Client addresses, `host:port`. */
  readonly servers: readonly string[];
  readonly user: string;
  readonly pass: string;
  readonly pids: readonly number[];
  /** SIGINT, wait for the exit; SIGKILL after a bound. Safe to call twice. */
  stop(): Promise<void>;
}

/** Why it failed, with the servers' last lines. */
export class StoreServerError extends Error {
  constructor(
    message: string,
    readonly lastLines: readonly string[],
  ) {
    super(message);
  }
}

const USER = 'core-carry';
const PASS_VAR = 'CORE_CARRY_PASSWORD';
const quote = (s: string) => JSON.stringify(s);
const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

/**
 * `count` loopback ports free now, all different: each is held until all are
 * picked. A port released before the next is picked may be handed out again,
 * and a member's client port given by the kernel (`-1`) may be another's route
 * port: seen as "bind: address already in use" under load. So a cluster's
 * members get every port from here (the routes must be known before they start).
 */
async function freePorts(count: number): Promise<number[]> {
  const servers: net.Server[] = [];
  try {
    for (let i = 0; i < count; i++) {
      const server = net.createServer();
      servers.push(server);
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(0, '127.0.0.1', () => resolve());
      });
    }
    return servers.map((server) => (server.address() as net.AddressInfo).port);
  } finally {
    await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  }
}

interface Started {
  readonly child: ChildProcess;
  readonly lines: string[];
  /** Its client and monitor addresses once it logs "Server is ready". */
  readonly ready: Promise<{ client: string; monitor: string }>;
}

function spawnOne(command: string, conf: string, env: Record<string, string>, name: string): Started {
  const lines: string[] = [];
  const child = spawn(command, ['-c', conf], { env, stdio: ['ignore', 'pipe', 'pipe'], shell: false });
  const last = () => lines.slice(-8).map((l) => `${name}: ${l}`);
  const ready = new Promise<{ client: string; monitor: string }>((resolve, reject) => {
    let client: string | undefined;
    let monitor = '';
    const onLine = (line: string) => {
      lines.push(line);
      if (lines.length > 200) lines.shift();
      client = /Listening for client connections on (\S+)$/.exec(line)?.[1] ?? client;
      monitor = /Starting http monitor on (\S+)$/.exec(line)?.[1] ?? monitor;
      if (/Server is ready/.test(line) && client) resolve({ client, monitor });
    };
    for (const stream of [child.stdout, child.stderr]) {
      let rest = '';
      stream?.setEncoding('utf8');
      stream?.on('data', (chunk: string) => {
        const parts = (rest + chunk).split('\n');
        rest = parts.pop() ?? '';
        for (const part of parts) onLine(part);
      });
    }
    child.once('error', (error) => reject(new StoreServerError(`${command} could not be started: ${error.message}`, last())));
    child.once('exit', (code, signal) => reject(new StoreServerError(`${name} exited (${signal ?? `code ${code}`}) before it was ready`, last())));
  });
  ready.catch(() => {}); // awaited by the caller; a late exit after readiness is no rejection to report
  return { child, lines, ready };
}

/** A cluster is ready to be read once every member's /healthz says 200 (meta leader known, streams current). */
async function healthy(monitor: string, deadline: number, gone: () => boolean): Promise<boolean> {
  for (;;) {
    if (gone()) return false; // a member that exited (a port taken after all) never makes the cluster whole
    const ok = await fetch(`http://${monitor}/healthz`, { signal: AbortSignal.timeout(2000) }).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return true;
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/**
 * Ports are picked free, then bound by nats-server a moment later: another
 * process may take one in between. That, and only that, is tried once more
 * with new ports; the store is only read, so a second start changes nothing.
 */
export async function startStoreServer(options: StoreServerOptions): Promise<StoreServer> {
  try {
    return await startOnce(options);
  } catch (error) {
    const portTaken = error instanceof StoreServerError && error.lastLines.some((line) => line.includes('address already in use'));
    if (!portTaken) throw error;
    return startOnce(options);
  }
}

async function startOnce(options: StoreServerOptions): Promise<StoreServer> {
  const dir = fs.mkdtempSync(path.join(options.workDir, 'nats-carry-'));
  fs.chmodSync(dir, 0o700);
  // A letter first: nats-server parses a variable's value, and one starting with a digit as a number.
  const pass = `p${randomBytes(24).toString('hex')}`;
  const clustered = options.members.length > 1;
  // Per member: route, client and monitor ports (a standalone server takes what the kernel gives).
  const ports = clustered ? await freePorts(options.members.length * 3) : [];
  const routes = ports.slice(0, options.members.length);
  const portOf = (i: number, kind: 'client' | 'monitor') => ports[options.members.length * (kind === 'client' ? 1 : 2) + i];
  const started: Started[] = [];
  // Core ending any way it can still run code (an exit, Ctrl-C, a SIGTERM): the servers go with it.
  // The stores are only read, so killing them loses nothing. A SIGKILL of core leaves them to `core down` (the marks).
  const kill = () => {
    for (const s of started) s.child.kill('SIGKILL');
  };
  const release = () => {
    process.removeListener('exit', kill);
    for (const signal of SIGNALS) process.removeListener(signal, onSignal);
  };
  const onSignal = (signal: NodeJS.Signals) => {
    kill();
    release();
    if (process.listenerCount(signal) === 0) process.kill(process.pid, signal); // as if we had not been listening
  };
  process.once('exit', kill);
  for (const signal of SIGNALS) process.once(signal, onSignal);
  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      await Promise.all(
        started.map(async ({ child }) => {
          if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
          child.kill('SIGINT');
          const bound = new Promise<'late'>((resolve) => setTimeout(resolve, options.stopTimeoutMs ?? 10_000, 'late').unref());
          if ((await Promise.race([exited(child), bound])) === 'late') {
            child.kill('SIGKILL');
            await exited(child);
          }
        }),
      );
      release();
      fs.rmSync(dir, { recursive: true, force: true });
    })());
  const lastLines = () => started.flatMap((s, i) => s.lines.slice(-8).map((l) => `${options.members[i]!.name}: ${l}`));
  try {
    options.members.forEach((member, i) => {
      const conf = path.join(dir, `${member.name}.conf`);
      const lines = [
        "# Generated by core for one carry-over: reads a stopped server's store; removed when done.",
        `server_name: ${quote(member.name)}`,
        `listen: "127.0.0.1:${clustered ? portOf(i, 'client') : -1}"`,
        ...(clustered ? [`http: "127.0.0.1:${portOf(i, 'monitor')}"`] : []),
        `authorization { user: ${quote(USER)}, password: $${PASS_VAR} }`,
        `jetstream { store_dir: ${quote(member.storeDir)} }`,
        ...(clustered
          ? [
              `cluster { name: ${quote(options.cluster ?? 'core-carry')}, listen: "127.0.0.1:${routes[i]}", routes: [${routes.map((p) => quote(`nats-route://127.0.0.1:${p}`)).join(', ')}] }`,
            ]
          : []),
        '',
      ];
      fs.writeFileSync(conf, lines.join('\n'), { mode: 0o600 });
      const env = { ...options.marks, [PROCESS_MARK]: `${member.name}-carry`, [PASS_VAR]: pass };
      started.push(spawnOne(options.command, conf, env, member.name));
    });
    const timeoutMs = options.readyTimeoutMs ?? 30_000;
    const deadline = Date.now() + timeoutMs;
    const late = new Promise<never>((_, reject) => setTimeout(() => reject(new StoreServerError(`not ready within ${timeoutMs / 1000} s`, lastLines())), timeoutMs).unref());
    const ready = await Promise.race([Promise.all(started.map((s) => s.ready)), late]);
    if (clustered) {
      const gone = () => started.some(({ child }) => child.exitCode !== null || child.signalCode !== null);
      for (const { monitor } of ready) {
        if (!(await healthy(monitor, deadline, gone))) {
          throw new StoreServerError(gone() ? 'a member of the temporary cluster exited' : `the temporary cluster was not healthy within ${timeoutMs / 1000} s`, lastLines());
        }
      }
    }
    return { servers: ready.map((r) => r.client), user: USER, pass, pids: started.flatMap((s) => (s.child.pid ? [s.child.pid] : [])), stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
