#!/usr/bin/env node
// The topology controller (CORE_CONTROLLER=1): time from a core_topology record
// written with the pocketbase SDK until the running stack has changed, read from
// core's own event log (`core events --json -f`):
//   add     record created (a leaf region) → nats-leaf-lhr `ready`
//   remove  record deleted                 → nats-leaf-lhr stopped
// The stack: hub-spoke with 2 hubs and no leaf, PocketBase, Caddy.
// Usage: node bench/controller.mjs [runs]   (needs `npm run build`; binaries from ~/.cache/core)
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import PocketBase from 'pocketbase';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const runs = Number(process.argv[2] ?? 5);
const OFFSET = Number(process.env.CORE_BENCH_OFFSET ?? 46900);
const CORE = path.join(root, 'dist', 'core.js');

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'core-bench-controller-'));
fs.cpSync(path.join(root, 'templates', 'services'), path.join(dir, 'services'), { recursive: true });
const natsFile = path.join(dir, 'services/nats/service.json');
const nats = JSON.parse(fs.readFileSync(natsFile, 'utf8'));
nats.config = { ...nats.config, topology: 'hub-spoke', deployment: { local: { hub_nodes: 2, leaf_regions: [] } } };
fs.writeFileSync(natsFile, JSON.stringify(nats, null, 2));
const env = { ...process.env, CORE_ROOT: dir, CORE_PORT_OFFSET: String(OFFSET), CORE_CONTROLLER: '1', CORE_POCKETBASE_ADMIN_PASSWORD: '' };
const core = (...args) => execFileSync(process.execPath, [CORE, ...args], { cwd: dir, env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
let events;
try {
  core('up', '-d');
  events = spawn(process.execPath, [CORE, 'events', '--json', '-f'], { cwd: dir, env, stdio: ['ignore', 'pipe', 'ignore'] });
  const waiters = [];
  readline.createInterface({ input: events.stdout }).on('line', (line) => {
    const event = JSON.parse(line);
    for (const w of [...waiters]) if (w.match(event)) waiters.splice(waiters.indexOf(w), 1) && w.resolve(event);
  });
  const next = (match) => new Promise((resolve) => waiters.push({ match, resolve }));
  const watching = next((e) => e.type === 'controller' && e.reason === 'watching core_topology');
  await watching;

  const pb = new PocketBase(`http://127.0.0.1:${8090 + OFFSET}`);
  pb.autoCancellation(false);
  await pb.collection('_superusers').authWithPassword('admin@example.com', fs.readFileSync(path.join(dir, '.data/secrets/pocketbase.password'), 'utf8').trim());
  const records = pb.collection('core_topology');
  const add = [];
  const remove = [];
  const leaf = (types) => (e) => types.includes(e.type) && e.process === 'nats-leaf-lhr';
  for (let i = 0; i < runs; i++) {
    const ready = next(leaf(['ready']));
    let start = Date.now();
    const record = await records.create({ service: 'nats', deployment: { local: { hub_nodes: 2, leaf_regions: ['lhr'] } } });
    add.push(Date.parse((await ready).time) - start);
    const gone = next(leaf(['stopped', 'exited']));
    start = Date.now();
    await records.delete(record.id);
    remove.push(Date.parse((await gone).time) - start);
    await sleep(300); // the apply's own answer and the record's error write settle
  }
  console.log(`record → leaf ready:    median ${median(add)} ms (${add.join(', ')})`);
  console.log(`record deleted → leaf stopped: median ${median(remove)} ms (${remove.join(', ')})`);
} finally {
  events?.kill();
  try {
    core('down');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
