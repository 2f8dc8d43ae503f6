#!/usr/bin/env node
// NATS single-node → 3-node cluster on a running stack (`core up -d` after the manifest's
// topology changed), with a stream of 0, 1,000 and 10,000 messages (100 bytes, one header each)
// that core carries over (checked before the change; read from the single node's store once it
// stopped, through a temporary nats-server; republished into the cluster; counts checked).
// Alternated per run, so machine load hits each size alike. Prints the whole command's time, the
// temporary server's start + stop (`store_server_ms` of `--json`), and the messages per second
// the carry-over adds against the empty stream.
// `back`: the other way, a 3-node cluster (an R3 stream) → single-node, where the old stores are
// read through a temporary 3-node cluster.
// Usage: node bench/nats-carry.mjs [runs] [back]   (needs `npm run build` and nats-server ≥ 2.14 in the cache)
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect, headers } from '@nats-io/transport-node';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const runs = Number(process.argv[2] ?? 3);
const back = process.argv[3] === 'back';
const [FROM, TO] = back ? ['cluster', 'single-node'] : ['single-node', 'cluster'];
const OFFSET = Number(process.env.CORE_BENCH_OFFSET ?? 46900);
const SIZES = [0, 1000, 10000];
const payload = 'x'.repeat(100);

function project() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'core-bench-carry-'));
  fs.mkdirSync(path.join(dir, 'services', 'nats'), { recursive: true });
  const manifest = JSON.parse(fs.readFileSync(path.join(root, 'templates/services/nats/service.json'), 'utf8'));
  manifest.config.deployment = { local: { nodes: 3 } };
  const file = path.join(dir, 'services/nats/service.json');
  const topology = (value) => fs.writeFileSync(file, JSON.stringify({ ...manifest, config: { ...manifest.config, topology: value } }));
  topology(FROM);
  const core = (...args) => {
    const start = performance.now();
    const out = execFileSync(process.execPath, [path.join(root, 'dist/core.js'), ...args], {
      cwd: dir,
      env: { ...process.env, CORE_ROOT: dir, CORE_PORT_OFFSET: String(OFFSET) },
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    return { ms: performance.now() - start, out };
  };
  return { dir, topology, core };
}

async function fill(count) {
  const nc = await connect({ servers: `127.0.0.1:${4222 + OFFSET}` });
  await (await jetstreamManager(nc)).streams.add({ name: 'ORDERS', subjects: ['orders.>'], num_replicas: back ? 3 : 1 });
  const js = jetstream(nc);
  for (let i = 0; i < count; i += 500) {
    const batch = [];
    for (let k = i; k < Math.min(count, i + 500); k++) {
      const h = headers();
      h.set('X-Index', String(k));
      batch.push(js.publish(`orders.${k % 7}`, payload, { headers: h }));
    }
    await Promise.all(batch);
  }
  await nc.close();
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const times = Object.fromEntries(SIZES.map((n) => [n, []]));
const server = Object.fromEntries(SIZES.map((n) => [n, []]));
for (let run = 0; run < runs; run++) {
  for (const size of SIZES) {
    const p = project();
    try {
      p.core('up', '-d');
      await fill(size);
      p.topology(TO);
      const { ms, out } = p.core('up', '-d', '--json');
      const [carried] = JSON.parse(out).nats_carried ?? [];
      if (carried?.messages !== size) throw new Error(`not carried:\n${out}`);
      times[size].push(ms);
      server[size].push(carried.store_server_ms);
    } finally {
      try {
        p.core('down');
      } catch {
        // reported by the next run's port clash, if it matters
      }
      fs.rmSync(p.dir, { recursive: true, force: true });
    }
  }
}
const base = median(times[0]);
for (const size of SIZES) {
  const m = median(times[size]);
  const rate = size ? `, carry-over ~${Math.round(size / ((m - base) / 1000))} msg/s` : '';
  console.log(
    `${String(size).padStart(6)} messages: core up -d median ${Math.round(m)} ms (runs: ${times[size].map(Math.round).join(', ')})${rate}; temporary server start + stop median ${median(server[size])} ms (${server[size].join(', ')})`,
  );
}
