/**
 * Thin entry: hands argv, the process environment and its own location to the
 * CLI. Everything else is loaded lazily, per command, so `core --help` costs
 * little more than Node itself.
 */
import { fileURLToPath } from 'node:url';
import { main } from '../src/cli/main.js';
import { type RunStandalone, standaloneFor } from '../src/cli/standalone.js';

// `core status | head -1`: a reader that goes away early is not an error.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw error;
  });
}

const argv = process.argv.slice(2);
const ctx = { env: process.env, self: [process.execPath, fileURLToPath(import.meta.url)] };
// `core status` and `core validate` load a bundle of their own, not the CLI (src/cli/standalone.ts).
const alone = standaloneFor(argv);
if (alone) {
  // Built beside this file by scripts/build.mjs; not part of this bundle.
  const entry = new URL(`./${alone.name}/${alone.name}.js`, import.meta.url).href;
  const { run } = (await import(entry)) as { run: RunStandalone };
  process.exitCode = await run(ctx, alone.json);
} else process.exitCode = await main(argv, ctx);
