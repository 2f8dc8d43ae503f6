/**
 * Real nats-server processes a test writes the config of itself: a single
 * node, or the nodes of a cluster (server_name, listen, http, cluster {name,
 * listen, routes}, jetstream {store_dir}). Ready = GET /healthz without a
 * query answering 200 (a cluster node: once the meta leader is known).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { once } from 'node:events';
import { waitFor } from './e2e.js';

export const NATS_SERVER = path.join(os.homedir(), '.cache/core/bin/linux-amd64/nats-server/2.14.5/nats-server');

export interface NatsNode {
  readonly name: string;
  readonly client: number;
  readonly monitor: number;
  readonly child: ChildProcess;
}

export interface NodeSpec {
  readonly name: string;
  readonly client: number;
  readonly monitor: number;
  readonly storeDir: string;
  /** With a cluster: its name, this node's route port and every node's route port. */
  readonly cluster?: { readonly name: string; readonly port: number; readonly routes: readonly number[] };
  readonly password?: string;
}

export function natsConf(spec: NodeSpec): string {
  return [
    `server_name: ${JSON.stringify(spec.name)}`,
    `listen: "127.0.0.1:${spec.client}"`,
    `http: "127.0.0.1:${spec.monitor}"`,
    ...(spec.password ? ['authorization {', '  user: core', '  password: $TEST_NATS_PASSWORD', '}'] : []),
    'jetstream {',
    `  store_dir: ${JSON.stringify(spec.storeDir)}`,
    '}',
    ...(spec.cluster
      ? [
          'cluster {',
          `  name: ${JSON.stringify(spec.cluster.name)}`,
          `  listen: "127.0.0.1:${spec.cluster.port}"`,
          `  routes: [${spec.cluster.routes.map((p) => `"nats-route://127.0.0.1:${p}"`).join(', ')}]`,
          '}',
        ]
      : []),
    '',
  ].join('\n');
}

/** Start one node from a config file in `dir`; the password reaches it through its environment only. */
export function startNode(dir: string, spec: NodeSpec): NatsNode {
  const conf = path.join(dir, `${spec.name}.conf`);
  fs.writeFileSync(conf, natsConf(spec), { mode: 0o600 });
  const child = spawn(NATS_SERVER, ['-c', conf], {
    stdio: 'ignore',
    env: { PATH: process.env.PATH ?? '', ...(spec.password ? { TEST_NATS_PASSWORD: spec.password } : {}) },
  });
  return { name: spec.name, client: spec.client, monitor: spec.monitor, child };
}

export async function healthy(node: NatsNode, timeoutMs = 15_000): Promise<void> {
  await waitFor(
    `${node.name} /healthz 200`,
    async () => {
      if (node.child.exitCode !== null) throw new Error(`${node.name} exited with ${node.child.exitCode}`);
      try {
        return (await fetch(`http://127.0.0.1:${node.monitor}/healthz`)).status === 200 || undefined;
      } catch {
        return undefined;
      }
    },
    timeoutMs,
  );
}

export async function stopNode(node: NatsNode): Promise<void> {
  if (node.child.exitCode !== null || node.child.signalCode !== null) return;
  const exited = once(node.child, 'exit');
  node.child.kill('SIGTERM');
  await exited;
}
