/**
 * `core up [svc…]`: in the foreground (prefixed output, Ctrl-C stops everything
 * gracefully) or detached with `-d` (returns once every service is up: healthy,
 * running for a moment when it has no readiness check, or completed for a job;
 * on failure, a crash or a restart names the service, its exit code, last probe
 * error and log lines, stops what it started and exits 1).
 */
import type { ChildProcess } from 'node:child_process';
import { controlPaths } from '../../control/paths.js';
import { loadLauncher } from '../../engines/index.js';
import { unhonouredWatch } from '../../engines/unhonoured.js';
import { InputError } from '../../support/errors.js';
import { loadSettings } from '../../support/load-settings.js';
import { isPcProject } from '../../support/pc-stack.js';
import { ENGINES, type EngineName } from '../../support/settings.js';
import type { CliContext } from '../context.js';
import { note } from '../output.js';
import { parseTimeout } from '../flags.js';
import { prepare } from '../prepare.js';
import { upSummary } from '../render/up-summary.js';
import { launchUp, ofTargets } from '../up-report.js';

export interface UpOptions {
  readonly detach?: boolean;
  readonly json?: boolean;
  readonly timeout: string;
  readonly engine?: string;
}

/** The engine from --engine, else CORE_ENGINE. */
function chooseEngine(flag: string | undefined, setting: EngineName): EngineName {
  const engine = flag ?? setting;
  if (!ENGINES.includes(engine as EngineName)) throw new InputError('bad-flag', `${flag ? '--engine' : 'CORE_ENGINE'}: "${engine}" is not one of ${ENGINES.join(', ')}`);
  return engine as EngineName;
}

/** `daemon`: with -d, the supervisor process program.ts started before loading this module. */
export async function up(ctx: CliContext, names: string[], options: UpOptions, daemon?: ChildProcess): Promise<void> {
  const timeoutMs = parseTimeout(options.timeout);
  const settings = loadSettings(process.cwd(), ctx.env);
  // The folder of a process-compose project (no services/): the project again, as `core up -f` recorded it.
  if (isPcProject(settings.root)) return (await import('../pc-up/up.js')).upPcAgain(ctx, settings.root, names, options, daemon);
  const launcher = await loadLauncher(chooseEngine(options.engine, settings.engine));
  if (!launcher.usesDaemon) daemon?.kill();
  const prepared = await prepare(ctx, names);
  const targets = prepared.services.map((s) => s.name);
  const unhonoured = unhonouredWatch(launcher, prepared.generated.doc);
  if (unhonoured) note(unhonoured);
  if (prepared.settings.metricsAddr && launcher.name !== 'builtin')
    note('warning: CORE_METRICS_ADDR: metrics are served by the built-in engine only; process-compose serves none (docs/metrics.md)');
  if (prepared.settings.controller && launcher.name !== 'builtin')
    note('warning: CORE_CONTROLLER=1: the topology controller runs in the built-in engine only; no core_topology record is applied');
  await launchUp({
    launcher,
    request: { settings: prepared.settings, plan: prepared.plan, generated: prepared.generated, targets, timeoutMs, self: ctx.self },
    options,
    ...(daemon ? { daemon } : {}),
    logs: controlPaths(prepared.settings.stackDir).logs,
    onForegroundReady: (result) => note(result.ok ? upSummary(ofTargets(targets, result.outcomes), performance.now()) : `not ready: ${result.message}`),
  });
}
