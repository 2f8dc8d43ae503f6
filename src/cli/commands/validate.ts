import type { CliContext } from '../context.js';
import { loadStack } from '../load-stack.js';
import { generateStack } from '../../compose/generate.js';
import { print, printJson } from '../output.js';
import { checkOnHost } from '../../manifest/host-checks.js';
import { IssuesError } from '../../support/errors.js';

/**
 * Everything `generate` checks, without writing anything. Manifests that
 * validated before (same files, same build) come from the cache without loading
 * zod (~40 % of this command's time); placeholders, ports and renderers are
 * checked afresh every time, and so is what this machine must have: an explicit
 * working_dir, a command on PATH or on disk (host-checks.ts).
 */
export async function validate(ctx: CliContext, options: { json?: boolean }): Promise<void> {
  const { plan, manifests, settings } = await loadStack(ctx, { cache: 'read', anyHost: true });
  generateStack(plan);
  const onHost = checkOnHost(plan, manifests, settings.env);
  if (onHost.length > 0) throw new IssuesError(onHost);
  const services = [...new Set(plan.services.map((s) => s.service))];
  const processes = plan.services.map((s) => s.name);
  // A service that runs as several processes is shown with them: `nats [nats-1, nats-2, nats-3]`.
  const shown = services.map((service) => {
    const own = plan.services.filter((s) => s.service === service && s.name !== service).map((s) => s.name);
    return own.length ? `${service} [${own.join(', ')}]` : service;
  });
  if (options.json) printJson({ ok: true, services, processes });
  else print(`ok: ${services.length} service${services.length === 1 ? '' : 's'} (${shown.join(', ')})`);
}
