import { loadStack } from '../load-stack.js';
import { generateStack } from '../../compose/generate.js';
import { print, printJson } from '../output.js';

type Env = Readonly<Record<string, string | undefined>>;

/** Everything `generate` checks, without writing anything. */
export async function validate(env: Env, options: { json?: boolean }): Promise<void> {
  const { plan } = await loadStack(env);
  generateStack(plan);
  const services = plan.services.map((s) => s.name);
  if (options.json) printJson({ ok: true, services });
  else print(`ok: ${services.length} service${services.length === 1 ? '' : 's'} (${services.join(', ')})`);
}
