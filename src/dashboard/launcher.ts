/**
 * The dashboard as the supervisor holds it: nothing until the first `POST
 * /dashboard` (control/server.ts), then the HTTP server of server.ts, loaded
 * with `import()` then (off the supervisor's start-up) and kept until the stack
 * stops. Concurrent first asks share one start.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ComposeDoc } from '../compose/schema.js';
import type { StateFile } from '../control/state-file.js';
import type { Supervisor } from '../engine/index.js';
import type { Resources } from '../observe/resources.js';
import type { Timeline } from '../observe/timeline.js';
import type { Dashboard } from './server.js';

export interface DashboardAddress {
  readonly url: string;
  readonly port: number;
  /** With `opener`: a one-time link to the page, for a browser's command line (open-codes.ts). */
  readonly open_url?: string;
}

export interface DashboardLauncher {
  /** Start it if it is not running; its address (the URL holds the token). */
  open(options?: { opener?: boolean }): Promise<DashboardAddress>;
  close(): Promise<void>;
}

export interface DashboardHost {
  readonly engine: Supervisor;
  readonly resources: Resources;
  readonly timeline: Timeline;
  readonly root: string;
  /** ms since the epoch. */
  readonly startedAt: number;
  /** The running stack's ports (the state file's, changed by an apply). */
  readonly ports: () => StateFile['ports'];
  readonly note: (line: string) => void;
  /** 0 or undefined: a free port. */
  readonly port?: number;
}

export function dashboardLauncher(host: DashboardHost): DashboardLauncher {
  let starting: Promise<Dashboard> | undefined;
  let closed = false;
  return {
    open: async ({ opener = false } = {}) => {
      if (closed) throw new Error('the stack is stopping');
      starting ??= load(host).catch((error: unknown) => {
        starting = undefined; // a port in use now may be free later
        throw error;
      });
      const dashboard = await starting;
      return { url: dashboard.url, port: dashboard.port, ...(opener ? { open_url: dashboard.openUrl() } : {}) };
    },
    close: async () => {
      closed = true;
      const dashboard = await starting?.catch(() => undefined);
      await dashboard?.close();
    },
  };
}

async function load(host: DashboardHost): Promise<Dashboard> {
  const [{ startDashboard }, { helloOf, processesOf }] = await Promise.all([import('./server.js'), import('./views.js')]);
  const { engine, resources, timeline } = host;
  return startDashboard({
    engine,
    resources,
    actions: engine,
    note: host.note,
    port: host.port,
    // The bundle's chunks sit in dist/, the page in dist/dashboard/ (scripts/build.mjs).
    assetsDir: path.join(path.dirname(fileURLToPath(import.meta.url)), 'dashboard'),
    hello: () => helloOf(engine.document, { name: path.basename(host.root), root: host.root, startedAt: host.startedAt }),
    processes: () =>
      processesOf(
        engine.snapshot(),
        engine.document as ComposeDoc,
        host.ports(),
        (name) => timeline.get(name),
        (name, n) => engine.logs(name, n),
      ),
  });
}
