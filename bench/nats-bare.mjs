/**
 * For bench/topology.mjs: probes of a nats-server's monitor port, polled until a
 * condition holds, and the anchor: nats-server processes started from
 * hand-written configs, no engine. Ports: a NATS base port + offset + index.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

export const BASE = { client: 4222, monitor: 8222, cluster: 6222, leafnodes: 7422 };
export const POLL_MS = 5;

// ---------------------------------------------------------------- probes

export function get(port, pathname) {
  return new Promise((resolve) => {
    const request = http.get({ host: '127.0.0.1', port, path: pathname, agent: false, timeout: 1000 }, (response) => {
      let body = '';
      response.on('data', (chunk) => (body += chunk));
      response.on('end', () => resolve({ status: response.statusCode, body }));
    });
    request.on('error', () => resolve({ status: 0, body: '' }));
    request.on('timeout', () => request.destroy());
  });
}

export const healthy = async (port) => (await get(port, '/healthz')).status === 200;
export const leafCount = async (port) => {
  const answer = await get(port, '/leafz');
  return answer.status === 200 ? JSON.parse(answer.body).leafnodes : -1;
};

/** ms from `start` until `check()` holds, polling every POLL_MS; throws after `limitMs`, with what the ports last said. */
export async function until(start, what, check, { limitMs = 60_000, ports = [] } = {}) {
  for (;;) {
    if (await check()) return performance.now() - start;
    if (performance.now() - start > limitMs) {
      const said = await Promise.all(ports.map(async (port) => `${port}: ${(await get(port, '/healthz')).body.trim() || 'no answer'}`));
      throw new Error(`timed out after ${limitMs} ms waiting for ${what}${said.length ? `\n${said.join('\n')}` : ''}`);
    }
    await sleep(POLL_MS);
  }
}

export const allHealthy = (ports) => async () => (await Promise.all(ports.map(healthy))).every(Boolean);
export const untilHealthy = (start, what, ports) => until(start, what, allHealthy(ports), { ports });
export const monitor = (offset, index) => BASE.monitor + offset + index;
export const indexes = (from, count) => Array.from({ length: count }, (_, i) => from + i);

export async function portsFree(ports) {
  const free = (port) =>
    new Promise((resolve) => {
      const server = net.createServer();
      server.once('error', () => resolve(false));
      server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
    });
  for (const port of ports) if (!(await free(port))) return false;
  return true;
}

// ---------------------------------------------------------------- the anchor: bare nats-server

function bareConf(dir, offset, index, { name, cluster, routes, domain, hub, remotes }) {
  const lines = [`server_name: "${name}"`, `listen: "127.0.0.1:${BASE.client + offset + index}"`, `http: "127.0.0.1:${monitor(offset, index)}"`];
  lines.push(`jetstream { store_dir: "${path.join(dir, 'data', name)}"${domain ? `, domain: "${domain}"` : ''} }`);
  if (cluster) {
    const list = routes.map((i) => `"nats-route://127.0.0.1:${BASE.cluster + offset + i}"`).join(', ');
    lines.push(`cluster { name: "${cluster}", listen: "127.0.0.1:${BASE.cluster + offset + index}", routes: [${list}] }`);
  }
  if (hub) lines.push(`leafnodes { listen: "127.0.0.1:${BASE.leafnodes + offset + index}" }`);
  if (remotes) lines.push(`leafnodes { remotes: [ { urls: [${remotes.map((i) => `"nats-leaf://127.0.0.1:${BASE.leafnodes + offset + i}"`).join(', ')}] } ] }`);
  const file = path.join(dir, `${name}.conf`);
  fs.writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}

export class Bare {
  constructor(binary, dir, offset) {
    Object.assign(this, { binary, dir, offset, children: new Map() });
  }
  /** Write the config of cluster node `index` (routes to `routes`), start it unless running. */
  node(index, routes, extra = {}) {
    const name = `bare-${extra.hub ? 'hub-' : ''}${index}`;
    const file = bareConf(this.dir, this.offset, index, { name, cluster: extra.hub ? 'hub' : 'bare', routes, ...extra });
    if (!this.children.has(index)) this.start(index, file);
  }
  leaf(index, hubs) {
    this.start(index, bareConf(this.dir, this.offset, index, { name: `bare-leaf-${index}`, domain: `leaf${index}`, remotes: hubs }));
  }
  start(index, file) {
    // A log per node (as core keeps one), read when a run goes wrong.
    this.children.set(index, spawn(this.binary, ['-c', file, '-l', file.replace(/\.conf$/, '.log')], { stdio: 'ignore' }));
  }
  reload(index) {
    this.children.get(index).kill('SIGHUP');
  }
  async stop(index) {
    const child = this.children.get(index);
    this.children.delete(index);
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGINT');
    await exited;
  }
  async stopAll() {
    await Promise.all([...this.children.keys()].map((i) => this.stop(i)));
  }
  wipe() {
    fs.rmSync(path.join(this.dir, 'data'), { recursive: true, force: true });
  }
}
