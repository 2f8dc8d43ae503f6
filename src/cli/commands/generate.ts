import type { CliContext } from '../context.js';
import path from 'node:path';
import { generateStack, COMPOSE_FILE } from '../../compose/generate.js';
import { writeStack } from '../../compose/write.js';
import { toYaml } from '../../compose/yaml.js';
import { checkWorkingDirs } from '../../manifest/host-checks.js';
import { IssuesError } from '../../support/errors.js';
import { loadStack } from '../load-stack.js';
import { print, printJson } from '../output.js';

export async function generate(ctx: CliContext, options: { stdout?: boolean; json?: boolean }): Promise<void> {
  const { plan, manifests, saveCache } = await loadStack(ctx, { cache: 'read' });
  const stack = generateStack(plan);
  if (options.stdout) {
    process.stdout.write(toYaml(stack.doc));
    return;
  }
  const missing = checkWorkingDirs(plan, manifests); // it creates working folders, but not one the manifest names (as `core up`)
  if (missing.length > 0) throw new IssuesError(missing);
  const files = await writeStack(plan, stack);
  saveCache(); // only now: bad input leaves nothing on disk
  if (options.json) printJson({ compose_file: path.join(plan.stackDir, COMPOSE_FILE), files: files.map((f) => f.path), processes: Object.keys(stack.doc.processes) });
  else for (const file of files) print(`wrote ${path.relative(process.cwd(), file.path) || file.path}`);
}
