/**
 * `core verify [svc…] [--json] [--timeout <s>]`: an end-to-end check of the
 * running stack through each service's own protocol (docs/verify.md). Exit 0
 * when every step passes, 1 when one fails (or no stack runs), 2 for bad input.
 * It talks to the services, not to the supervisor: the engine is asked only
 * for each process's state, so it works the same with process-compose.
 */
import { connectEngine } from '../../engines/index.js';
import { generateStack } from '../../compose/generate.js';
import { expandNames } from '../../plan/process-names.js';
import { InputError } from '../../support/errors.js';
import { chainsFor } from '../../verify/chains.js';
import { failedNatsConnects } from '../../verify/nats-check.js';
import { renderReport, withStateHints } from '../../verify/render.js';
import { runChains } from '../../verify/run.js';
import { selectProcesses, verifyTargets } from '../../verify/targets.js';
import type { CliContext } from '../context.js';
import { parseTimeout } from '../flags.js';
import { loadStack } from '../load-stack.js';
import { print, printJson } from '../output.js';
import { runningStack } from './apply.js';

const EXIT_GRACE_MS = 1000;

export async function verify(ctx: CliContext, asked: readonly string[], options: { json?: boolean; timeout: string }): Promise<void> {
  const timeoutMs = parseTimeout(options.timeout);
  const started = performance.now();
  const stack = runningStack(ctx);
  // Read only: verify writes nothing under .core-stack/.
  const { plan, settings } = await loadStack(ctx, { cache: 'read' });
  const { names, unknown } = expandNames(asked, plan.services);
  if (unknown.length) {
    throw new InputError('unknown-service', `no service named ${unknown.map((n) => `"${n}"`).join(', ')} in the stack`, [
      `services: ${[...new Set(plan.services.map((s) => s.service))].join(', ')}`,
    ]);
  }
  const states = new Map((await connectEngine(stack).snapshot()).map((p) => [p.name, p]));
  const only = selectProcesses(plan, names, (name) => states.get(name)?.status);
  const targets = verifyTargets(plan, stack.state?.ports ?? {}, only);
  const chains = chainsFor(targets, { plan, doc: generateStack(plan).doc, env: settings.env, states, timeoutMs });
  const report = withStateHints(await runChains(chains, timeoutMs), states);
  if (options.json) printJson({ ok: report.ok, steps: report.steps });
  else for (const line of renderReport(report, Math.round(performance.now() - started))) print(line);
  if (!report.ok) process.exitCode = 1;
  // A NATS connect that timed out may have left its socket open (src/verify/nats-hello.ts),
  // which would keep the process alive as long as that server stays stopped: the report is
  // out, so end. Unref'd: a process that has nothing left exits at once without it.
  if (failedNatsConnects() > 0) setTimeout(() => process.exit(), EXIT_GRACE_MS).unref();
}
