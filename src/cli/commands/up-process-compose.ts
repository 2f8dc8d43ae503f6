/** `core up --engine process-compose [-d]`: the generated file run by the real process-compose. */
import { controlPaths } from '../../control/paths.js';
import { createProgressRenderer } from '../../deps/format.js';
import { provisionBinaries } from '../../deps/provision.js';
import { PROCESS_COMPOSE } from '../../engines/process-compose-binary.js';
import { launchProcessCompose, recordProcesses, waitProcessCompose } from '../../engines/process-compose.js';
import { ExitCode } from '../../support/errors.js';
import type { CliContext } from '../context.js';
import { note } from '../output.js';
import type { PreparedStack } from '../prepare.js';
import { upSummary } from '../render/up-summary.js';
import { ofTargets, reportUp, type UpOptions } from './up.js';

export async function upWithProcessCompose(ctx: CliContext, prepared: PreparedStack, targets: readonly string[], timeoutMs: number, options: UpOptions): Promise<void> {
  const { settings, plan } = prepared;
  const paths = controlPaths(settings.stackDir);
  const [binary] = await provisionBinaries([PROCESS_COMPOSE], settings, { reuseLinked: true, reporter: createProgressRenderer((line) => process.stderr.write(`${line}\n`)) });
  const stack = await launchProcessCompose({ binary: binary!.path, settings, plan, targets, self: ctx.self, attach: !options.detach });

  let signal: NodeJS.Signals | undefined;
  if (!options.detach) {
    for (const s of ['SIGINT', 'SIGTERM'] as const) {
      process.on(s, () => {
        signal ??= s;
        note('stopping… (process-compose, dependents first)');
        void stack.client.stopProject().catch(() => {});
      });
    }
  }

  const ready = await waitProcessCompose(stack, prepared.generated.doc, targets, timeoutMs);
  recordProcesses(paths.state, await stack.client.processes().catch(() => []));
  if (options.detach) {
    if (!ready.ok) {
      await stack.client.stopProject().catch(() => {});
      await stack.exited();
    }
    return reportUp(targets, ready, paths.logs, options);
  }
  note(ready.ok ? upSummary(ofTargets(targets, ready.outcomes), performance.now()) : `not ready: ${ready.message}`);
  const code = await stack.exited();
  process.exitCode = signal === 'SIGINT' ? ExitCode.interrupted : signal === 'SIGTERM' ? ExitCode.ok : code;
}
