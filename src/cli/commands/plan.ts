/** `core plan [--json] [--host NAME]`: which host runs which process (docs/hosts.md). */
import type { CliContext } from '../context.js';
import { loadStack } from '../load-stack.js';
import { print, printJson } from '../output.js';
import { planLines, planView } from '../render/plan-view.js';

export async function plan(ctx: CliContext, options: { json?: boolean }): Promise<void> {
  const stack = await loadStack(ctx, { cache: 'read', anyHost: true });
  const { settings, placement } = stack;
  const view = planView({
    services: stack.plan.all ?? stack.plan.services,
    ...(placement ? { placement } : {}),
    deployment: settings.deployment,
    address: settings.host,
    ...(settings.hostName !== undefined ? { host: settings.hostName } : {}),
  });
  if (options.json) printJson(view);
  else print(planLines(view).join('\n'));
}
