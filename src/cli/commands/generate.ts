import path from 'node:path';
import { generateStack, COMPOSE_FILE } from '../../compose/generate.js';
import { writeStack } from '../../compose/write.js';
import { loadStack } from '../load-stack.js';
import { print, printJson } from '../output.js';

type Env = Readonly<Record<string, string | undefined>>;

export async function generate(env: Env, options: { stdout?: boolean; json?: boolean }): Promise<void> {
  const { plan } = await loadStack(env);
  const stack = generateStack(plan);
  if (options.stdout) {
    process.stdout.write(stack.yaml);
    return;
  }
  await writeStack(plan, stack);
  const files = stack.files.map((f) => path.relative(process.cwd(), f.path) || f.path);
  if (options.json) printJson({ compose_file: path.join(plan.stackDir, COMPOSE_FILE), files: stack.files.map((f) => f.path), processes: Object.keys(stack.doc.processes) });
  else for (const file of files) print(`wrote ${file}`);
}
