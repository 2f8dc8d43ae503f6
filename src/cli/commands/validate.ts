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
  const { plan, manifests, settings } = await loadStack(ctx, { cache: 'read' });
  generateStack(plan);
  const onHost = checkOnHost(plan, manifests, settings.env);
  if (onHost.length > 0) throw new IssuesError(onHost);
  const services = plan.services.map((s) => s.name);
  if (options.json) printJson({ ok: true, services });
  else print(`ok: ${services.length} service${services.length === 1 ? '' : 's'} (${services.join(', ')})`);
}
