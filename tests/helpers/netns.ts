/**
 * Test hosts made from Linux network namespaces: one namespace a host, each with
 * its loopback and one veth into a bridge of the test's own in the root
 * namespace, an address per host. Everything is created and removed by the
 * test itself; only root can, so `canUseNetns` is false elsewhere and those tests
 * skip.
 *
 * Addresses come from 198.18.0.0/15 (RFC 2544, set aside for benchmarking): a
 * /24 of it per set of hosts, picked from the test's pid, so two files running at
 * once get different subnets. Nothing outside the namespaces is ever addressed.
 *
 * Names carry the pid of the test process (`cns<pid>x<k>`), so a set left behind
 * by a killed run is recognised and removed by the next one (`sweepStaleNetns`,
 * called from the global setup).
 *
 * A process runs in a host by `ip netns exec <ns> <argv>` (no shell). A host is
 * cut off by taking its bridge-side veth down, which leaves its processes and
 * its own loopback as they were: exactly a cable pulled.
 */
import { type ChildProcessByStdio, execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import type { Readable, Writable } from 'node:stream';
import { type ChildOutput, childOutput } from './child-output.js';

export const canUseNetns = process.platform === 'linux' && process.getuid?.() === 0 && ipAvailable();

function ipAvailable(): boolean {
  try {
    execFileSync('ip', ['-V'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

export interface NetHost {
  readonly name: string;
  /** The namespace's name (for `ip netns exec`). */
  readonly ns: string;
  readonly address: string;
  /** The veth end in the root namespace: down = the host is cut off. */
  readonly link: string;
}

export interface NetHosts {
  readonly hosts: readonly NetHost[];
  host(name: string): NetHost;
  /** argv to run `argv` inside a host's namespace. */
  argv(name: string, argv: readonly string[]): string[];
  /** Cut a host off (its link down) or bring it back. */
  setLink(name: string, up: boolean): void;
  /** The processes running in a host now (a test checks nothing is left before `destroy` kills it). */
  pids(name: string): number[];
  /** Kills whatever still runs in the namespaces, then removes them and the bridge. Idempotent. */
  destroy(): void;
}

const PREFIX = 'cns';
let sets = 0;

function ip(args: readonly string[]): void {
  execFileSync('ip', [...args], { stdio: ['ignore', 'ignore', 'pipe'] });
}

function pidsIn(ns: string): number[] {
  try {
    return execFileSync('ip', ['netns', 'pids', ns], { encoding: 'utf8' }).split('\n').filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

function removeNamespace(ns: string): void {
  for (const pid of pidsIn(ns)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Gone already.
    }
  }
  try {
    ip(['netns', 'del', ns]);
  } catch {
    // Not there (a second destroy, or a failed create).
  }
}

export interface NetHostsOptions {
  /**
   * `net.ipv4.tcp_retries2` in every host: how long TCP retransmits unacknowledged
   * data before it gives a connection up. The kernel's 15 is about 15 minutes, so a
   * link cut for seconds breaks nothing and the connections simply resume; 3
   * (about 3 s) lets a test's short cut end the connections that carry traffic, as
   * a long outage would, so what it sees afterwards is a real reconnection.
   */
  readonly tcpRetries?: number;
}

/** Creates the hosts `names` (in that order), each with the next address of one /24. */
export function createNetHosts(names: readonly string[], options: NetHostsOptions = {}): NetHosts {
  if (names.length > 200) throw new Error('at most 200 hosts');
  const id = `${process.pid}x${sets++}`;
  const bridge = `${PREFIX}${id}b`;
  // 512 /24s in 198.18.0.0/15; the set number moves a second set of one process on.
  const subnet = (process.pid * 7 + sets) % 512;
  const prefix = `198.${18 + (subnet >> 8)}.${subnet & 255}`;
  const hosts: NetHost[] = names.map((name, k) => ({ name, ns: `${PREFIX}${id}n${k}`, address: `${prefix}.${k + 1}`, link: `${PREFIX}${id}v${k}` }));
  const destroy = () => {
    for (const h of hosts) removeNamespace(h.ns);
    try {
      ip(['link', 'del', bridge]);
    } catch {
      // Not there.
    }
  };
  try {
    ip(['link', 'add', bridge, 'type', 'bridge']);
    ip(['link', 'set', bridge, 'up']);
    for (const h of hosts) {
      ip(['netns', 'add', h.ns]);
      ip(['link', 'add', h.link, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', h.ns]);
      ip(['link', 'set', h.link, 'master', bridge, 'up']);
      ip(['-n', h.ns, 'addr', 'add', `${h.address}/24`, 'dev', 'eth0']);
      ip(['-n', h.ns, 'link', 'set', 'eth0', 'up']);
      ip(['-n', h.ns, 'link', 'set', 'lo', 'up']);
      if (options.tcpRetries !== undefined) execFileSync('ip', ['netns', 'exec', h.ns, 'sysctl', '-q', '-w', `net.ipv4.tcp_retries2=${options.tcpRetries}`], { stdio: 'ignore' });
    }
  } catch (error) {
    destroy();
    throw error;
  }
  const byName = (name: string) => {
    const h = hosts.find((x) => x.name === name);
    if (!h) throw new Error(`no test host ${name}`);
    return h;
  };
  return {
    hosts,
    host: byName,
    argv: (name, argv) => ['ip', 'netns', 'exec', byName(name).ns, ...argv],
    setLink: (name, up) => ip(['link', 'set', byName(name).link, up ? 'up' : 'down']),
    pids: (name) => pidsIn(byName(name).ns),
    destroy,
  };
}

/** Runs `argv` in a host and resolves with its exit code and output (no shell), bounded in time. */
export function runIn(
  hosts: NetHosts,
  name: string,
  argv: readonly string[],
  options: { cwd?: string; env?: Record<string, string>; timeoutMs?: number } = {},
): Promise<ChildOutput> {
  const [command = 'ip', ...args] = hosts.argv(name, argv);
  return childOutput(spawn(command, args, { cwd: options.cwd, env: options.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'], timeout: options.timeoutMs ?? 30_000 }));
}

/**
 * Starts a long-lived `argv` in a host (no shell), its stdin, stdout and stderr
 * piped to the test: a process the test talks to, or watches, for as long as it
 * needs. `destroy` kills it if the test did not end it.
 */
export function spawnIn(
  hosts: NetHosts,
  name: string,
  argv: readonly string[],
  options: { cwd?: string; env?: Record<string, string> } = {},
): ChildProcessByStdio<Writable, Readable, Readable> {
  const [command = 'ip', ...args] = hosts.argv(name, argv);
  return spawn(command, args, { cwd: options.cwd, env: options.env ?? process.env, stdio: ['pipe', 'pipe', 'pipe'] });
}

/** Removes the namespaces and bridges a killed test run left (their pid no longer lives). */
export function sweepStaleNetns(): void {
  if (!canUseNetns) return;
  const alive = (pid: number) => fs.existsSync(`/proc/${pid}`);
  const pattern = new RegExp(`^${PREFIX}(\\d+)x\\d+[nb]`);
  let namespaces: string[] = [];
  try {
    namespaces = execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' })
      .split('\n')
      .map((line) => line.split(' ')[0] ?? '');
  } catch {
    return;
  }
  for (const ns of namespaces) {
    const m = pattern.exec(ns);
    if (m && !alive(Number(m[1]))) removeNamespace(ns);
  }
  for (const name of fs.readdirSync('/sys/class/net')) {
    const m = pattern.exec(name);
    if (m && name.endsWith('b') && !alive(Number(m[1]))) {
      try {
        ip(['link', 'del', name]);
      } catch {
        // Gone with its last port.
      }
    }
  }
}
