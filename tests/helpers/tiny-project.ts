/**
 * A throw-away project of tiny HTTP services (tests/fixtures/engine/http-server.mjs),
 * for end-to-end tests of the control plane that need no NATS, PocketBase or Caddy.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runCore, type CliResult } from './cli.js';
import { REPO } from './stack.js';

export interface TinyProject {
  readonly dir: string;
  readonly stackDir: string;
  readonly ports: readonly number[];
  core(...args: string[]): Promise<CliResult>;
  remove(): void;
}

/** `count` services named tiny-0…, on ports base, base+1, …, each ready on GET /health. */
export function tinyProject(basePort: number, count = 2, options: { timeoutMs?: number } = {}): TinyProject {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'core-tiny-'));
  const ports = Array.from({ length: count }, (_, i) => basePort + i);
  ports.forEach((port, i) => {
    const folder = path.join(dir, 'services', `tiny-${i}`);
    fs.mkdirSync(folder, { recursive: true });
    const manifest = {
      name: `tiny-${i}`,
      process: {
        command: process.execPath,
        args: [path.join(REPO, 'tests/fixtures/engine/http-server.mjs'), '${port.http}', '0'],
        compose: { readiness_probe: { http_get: { url: 'http://127.0.0.1:${port.http}/health' }, period_seconds: 1 } },
      },
      ports: { http: { port, protocol: 'http' } },
    };
    fs.writeFileSync(path.join(folder, 'service.json'), JSON.stringify(manifest, null, 2));
  });
  return {
    dir,
    stackDir: path.join(dir, '.core-stack'),
    ports,
    core: (...args) => runCore(args, { cwd: dir, timeoutMs: options.timeoutMs ?? 20_000 }),
    remove: () => fs.rmSync(dir, { recursive: true, force: true }),
  };
}
