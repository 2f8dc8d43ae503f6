/**
 * Thin entry: hands argv, the process environment and its own location to the
 * CLI. Everything else is loaded lazily, per command, so `core --help` costs
 * little more than Node itself.
 */
import { fileURLToPath } from 'node:url';
import { main } from '../src/cli/main.js';

// `core status | head -1`: a reader that goes away early is not an error.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw error;
  });
}

process.exitCode = await main(process.argv.slice(2), { env: process.env, self: [process.execPath, fileURLToPath(import.meta.url)] });
