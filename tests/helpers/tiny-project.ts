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
  /** The ports the tiny services listen on (offset included). */
  readonly ports: readonly number[];
  core(...args: string[]): Promise<CliResult>;
  remove(): void;
}

/**
 * `count` services named tiny-0…, on ports 100, 101, … plus `offset` (CORE_PORT_OFFSET),
 * each ready on GET /health. `extra` adds manifests of its own.
 */
export function tinyProject(offset: number, count = 2, options: { timeoutMs?: number; extra?: Record<string, object> } = {}): TinyProject {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'core-tiny-'));
  const ports = Array.from({ length: count }, (_, i) => 100 + i + offset);
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
      ports: { http: { port: port - offset, protocol: 'http' } },
    };
    fs.writeFileSync(path.join(folder, 'service.json'), JSON.stringify(manifest, null, 2));
  });
  for (const [name, manifest] of Object.entries(options.extra ?? {})) {
    fs.mkdirSync(path.join(dir, 'services', name), { recursive: true });
    fs.writeFileSync(path.join(dir, 'services', name, 'service.json'), JSON.stringify(manifest, null, 2));
  }
  return {
    dir,
    stackDir: path.join(dir, '.core-stack'),
    ports,
    core: (...args) => runCore(args, { cwd: dir, env: { CORE_PORT_OFFSET: String(offset) }, timeoutMs: options.timeoutMs ?? 20_000 }),
    remove: () => fs.rmSync(dir, { recursive: true, force: true }),
  };
}

/** An extra service `client` for tinyProject that depends on an `app` being healthy (port 111 + offset). */
export const CLIENT_OF_APP = {
  name: 'client',
  process: {
    command: process.execPath,
    args: [path.join(REPO, 'tests/fixtures/engine/http-server.mjs'), '${port.http}', '0'],
    compose: { depends_on: { app: { condition: 'process_healthy' } }, readiness_probe: { http_get: { url: 'http://127.0.0.1:${port.http}/health' }, period_seconds: 1 } },
  },
  ports: { http: { port: 111, protocol: 'http' } },
};
