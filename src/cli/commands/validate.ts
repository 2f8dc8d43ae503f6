import type { CliContext } from '../context.js';
import { loadStack } from '../load-stack.js';
import { generateStack } from '../../compose/generate.js';
import { print, printJson } from '../output.js';

/**
 * Everything `generate` checks, without writing anything. Manifests that
 * validated before (same files, same build) come from the cache without loading
 * zod (~40 % of this command's time); placeholders, ports and renderers are
 * checked afresh every time.
 */
export async function validate(ctx: CliContext, options: { json?: boolean }): Promise<void> {
  const { plan } = await loadStack(ctx, { cache: 'read' });
  generateStack(plan);
  const services = plan.services.map((s) => s.name);
  if (options.json) printJson({ ok: true, services });
  else print(`ok: ${services.length} service${services.length === 1 ? '' : 's'} (${services.join(', ')})`);
}
