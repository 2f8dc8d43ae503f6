/**
 * A stack that process-compose runs, as a command sees it (engine.ts
 * `StackEngine`), over its REST API on `.core-stack/pc.sock`. How it differs
 * from the built-in engine, each said here once (docs/engines.md, row by row):
 * - apply: it takes no document. The compose file it was started with (`-f`) is
 *   rewritten and it reloads it (`POST /project/configuration`, its
 *   `UpdateProject`, the code behind `POST /project` and `project update`; its
 *   JSON body for `POST /project` uses ProcessConfig's camelCase tags, so the
 *   file stays the one source of truth). It keeps the environment it was
 *   started with: a changed secret needs `core down && core up`.
 * - a config reload in place (`x-core.reload`) is core's own, after its file
 *   reload (reload.ts): its file leaves such keys out, so it keeps the process.
 * - no dry run, no apply of part of the stack: `start` and `restart` are its
 *   own (the definition it has); no event stream.
 */
import { ControlError, type ControlClient } from '../../control/client.js';
import type { StackHandle } from '../../control/connect.js';
import { InputError, RuntimeError, type CoreError } from '../../support/errors.js';
import type { Applied, ApplyReport, Feature, StackChange, StackEngine } from '../engine.js';
import { waitProcessCompose } from './ready.js';
import { pcDocument, reloadUnderPc } from './reload.js';

export const LACKS: Record<Feature, () => CoreError> = {
  events: () => new InputError('not-supported', '`core events` needs the built-in engine: process-compose keeps no event log (the stack runs on process-compose)'),
  dashboard: () =>
    new InputError(
      'not-supported',
      '`core dashboard` needs the built-in engine: process-compose serves no dashboard (the stack runs on process-compose; its own is `process-compose attach`)',
    ),
  'dry-run': () => new RuntimeError('unsupported', 'process-compose has no dry run of an update; use the built-in engine, or `core generate --stdout` and compare'),
  // Its own `watch` key has other paths, debounce and cascade rules: core's is left under x-core, which it ignores.
  watch: () => new InputError('not-supported', 'process-compose does not honour process.watch (no restart when a file changes); run with the built-in engine for that'),
};

const unknownProcess = (name: string, error: unknown) =>
  error instanceof ControlError && (error.status === 404 || error.status === 400) && new InputError('unknown-service', `no process named "${name}" in the running stack`);

/** Its own start or restart of each process: the definition it has. */
async function ask(client: ControlClient, verb: 'start' | 'restart', names: readonly string[]): Promise<Applied> {
  for (const name of names) {
    try {
      await client[verb](name);
    } catch (error) {
      throw unknownProcess(name, error) || new RuntimeError(`${verb}-failed`, `${verb} ${name}: ${(error as Error).message}`);
    }
  }
  return { kind: 'asked', verb: verb === 'start' ? 'starting' : 'restarting', names };
}

async function reload(handle: StackHandle, change: StackChange): Promise<Applied> {
  const { settings, plan, generated } = await change.desired(); // bad manifests: exit 2 first
  if (change.dryRun) throw LACKS['dry-run']();
  if (!handle.supervisor) throw new RuntimeError('not-running', 'process-compose is not running');
  const startedAt = performance.now();
  const [{ writeComposeFile, writeServiceFiles }, { withoutSecrets }] = await Promise.all([import('../../compose/write.js'), import('../../plan/secrets.js')]);
  // The config files first: a process reloaded below, or restarted meanwhile, reads the new ones.
  await writeServiceFiles(plan, generated);
  await writeComposeFile(plan, { ...generated, doc: pcDocument(generated.doc) });
  const status = await handle.client.reloadProject(change.timeoutMs);
  const entries = Object.entries(status);
  const changed = entries.filter(([, s]) => s === 'added' || s === 'updated').map(([name]) => name);
  const pc = { pid: handle.supervisor.pid, client: handle.client, exited: () => Promise.resolve(0) };
  // As process-compose runs them: its own environment (the settings', every secret) and the process's.
  const base = withoutSecrets(settings.env ?? {});
  const envOf = (name: string) => ({ ...base, ...plan.services.find((s) => s.name === name)?.env });
  const [ready, reloads] = await Promise.all([
    changed.length ? waitProcessCompose(pc, generated.doc, changed, change.timeoutMs) : Promise.resolve({ ok: true as const, outcomes: [] }),
    reloadUnderPc({ doc: generated.doc, status, client: handle.client, pcPid: handle.supervisor.pid, envOf }),
  ]);
  const reloaded = reloads.flatMap(({ ok, ...r }) => (ok && 'afterMs' in r ? [r] : []));
  const failed = reloads.flatMap((r) => (r.ok ? [] : [r]));
  const words = {
    ...status,
    ...Object.fromEntries(reloaded.filter((r) => r.signalled).map((r) => [r.name, 'reloaded'])),
    ...Object.fromEntries(failed.map((f) => [f.name, 'error'])),
  };
  const processes = Object.entries(words).map(([name, s]) =>
    s === 'added'
      ? { name, action: 'add' as const }
      : s === 'removed'
        ? { name, action: 'remove' as const }
        : s === 'reloaded' || (s === 'error' && !(name in status))
          ? { name, action: 'keep' as const, updates: ['x-core.reload'], reload: true as const }
          : { name, action: 'replace' as const, reasons: [s], updates: [] },
  );
  const failure = !ready.ok
    ? { name: ready.name, message: ready.message, lastProbeError: ready.lastProbeError, lastLines: ready.lastLines }
    : failed.length
      ? { name: failed[0]!.name, names: failed.map((f) => f.name), message: failed.map((f) => f.message).join('; '), lastProbeError: null, lastLines: failed[0]!.lastLines }
      : undefined;
  const report: ApplyReport = {
    ok: failure === undefined,
    diff: { processes, unchanged: processes.every((p) => p.action === 'keep') },
    started: changed,
    stopped: entries.filter(([, s]) => s === 'removed').map(([name]) => name),
    reloaded,
    ...(ready.ok ? { outcomes: ready.outcomes } : {}),
    ...(failure ? { failure } : {}),
  };
  const totalMs = Math.round(performance.now() - startedAt);
  return { kind: 'reload', report, status: words, totalMs, untouched: Object.keys(generated.doc.processes).length - Object.keys(words).length };
}

export function processComposeStack(handle: StackHandle): StackEngine {
  const { client } = handle;
  return {
    name: 'process-compose',
    lacks: (feature) => LACKS[feature](),
    snapshot: () => client.processes(),
    logs: (name, lines) => client.logs(name, lines),
    apply: async (change) => {
      switch (change.kind) {
        case 'start':
          return ask(client, 'start', change.names);
        case 'restart':
          return ask(client, 'restart', change.names);
        case 'apply':
        case 'up':
          return reload(handle, change);
      }
    },
    stop: async (names) => {
      for (const name of names) await client.stop(name);
    },
    stopAll: async () => void (await client.stopProject()),
    events: () => Promise.reject(LACKS.events()),
    follow: () => Promise.reject(LACKS.events()),
  };
}
