import type { CliContext } from '../context.js';
import { loadStack } from '../load-stack.js';
import { generateStack } from '../../compose/generate.js';
import { print, printJson } from '../output.js';

/** Everything `generate` checks, without writing anything. */
export async function validate(ctx: CliContext, options: { json?: boolean }): Promise<void> {
  const { plan } = await loadStack(ctx);
  generateStack(plan);
  const services = plan.services.map((s) => s.name);
  if (options.json) printJson({ ok: true, services });
  else print(`ok: ${services.length} service${services.length === 1 ? '' : 's'} (${services.join(', ')})`);
}
