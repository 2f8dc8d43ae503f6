#!/usr/bin/env node
// `core up -f`: the 200-service graph of scale.mjs (10 levels of 20 tiny Node HTTP
// servers, process_healthy on 1–3 of the level below, an http_get readiness probe
// every 1 s) written as a plain process-compose file, against the same graph as
// core manifests (`core up -d`), alternating, on the built-in engine. Per run: time
// from spawn to exit of `up -d` (every process healthy), and of `core down`.
// The same file runs under the real process-compose where one is found (see
// scale.mjs's header); that comparison is scale.mjs's, not repeated here.
// Usage: node bench/pc-up.mjs [runs]   (default 1; needs `npm run build`)
import fs from 'node:fs';
import path from 'node:path';
import { cleanup, core, FIXTURES, fmtMs, graph, median, tempProject, writeGraph } from './scale.mjs';

const LEVELS = 10;
const PER_LEVEL = 20;
const BASE_PORT = 61000; // above the ephemeral range, as scale.mjs puts its ports (see writeGraph there)
const runs = Number(process.argv[2] ?? 1);

/** The graph as a process-compose file, as a user would write it (command through the shell). */
function writePcFile(project) {
  const lines = ['version: "0.5"', 'processes:'];
  graph(LEVELS, PER_LEVEL).forEach((service, i) => {
    const port = BASE_PORT + i;
    lines.push(`  ${service.name}:`, `    command: ${JSON.stringify(`${process.execPath} ${path.join(FIXTURES, 'tiny-http.mjs')} ${port}`)}`);
    if (service.deps.length) {
      lines.push('    depends_on:');
      for (const dep of service.deps) lines.push(`      ${dep}: { condition: process_healthy }`);
    }
    lines.push(
      '    readiness_probe:',
      `      http_get: { host: 127.0.0.1, port: ${port}, path: /health }`,
      '      period_seconds: 1',
      '      timeout_seconds: 1',
      '      failure_threshold: 10',
      '    shutdown: { signal: 15, timeout_seconds: 5 }',
    );
  });
  fs.writeFileSync(path.join(project, 'process-compose.yaml'), `${lines.join('\n')}\n`);
}

const env = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp' };
const kinds = {
  'up -f (process-compose file)': { make: (p) => writePcFile(p), up: ['up', '-f', 'process-compose.yaml', '-d'], env: (p) => ({ ...env, CORE_ROOT: p }) },
  'up (manifests)': {
    make: (p) => writeGraph(p, { levels: LEVELS, perLevel: PER_LEVEL, basePort: BASE_PORT - 30000 }),
    up: ['up', '-d'],
    env: (p) => ({ ...env, CORE_ROOT: p, CORE_PORT_OFFSET: '30000' }),
  },
};
const results = Object.fromEntries(Object.keys(kinds).map((k) => [k, { up: [], down: [] }]));
for (let run = 0; run < runs; run++) {
  const order = run % 2 === 0 ? Object.keys(kinds) : Object.keys(kinds).reverse();
  for (const name of order) {
    const kind = kinds[name];
    const project = tempProject('core-bench-pcup-');
    try {
      kind.make(project);
      const up = core(project, kind.env(project), kind.up);
      const down = core(project, kind.env(project), ['down', '--timeout', '120']);
      results[name].up.push(up.ms);
      results[name].down.push(down.ms);
    } finally {
      cleanup(project, kind.env(project));
      fs.rmSync(project, { recursive: true, force: true });
    }
  }
}
console.log(`${LEVELS * PER_LEVEL} services, ${LEVELS} levels, ${runs} run(s) each, median; node ${process.version}, ${(await import('node:os')).cpus().length} cores`);
for (const [name, r] of Object.entries(results)) console.log(`${name.padEnd(30)} up -d ${fmtMs(median(r.up)).padStart(9)}   down ${fmtMs(median(r.down)).padStart(8)}`);
