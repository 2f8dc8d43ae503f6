/**
 * Thin entry: hands argv and the process environment to the CLI. Everything is
 * loaded lazily, per command, so `core --help` costs little more than Node.
 */
import { main } from '../src/cli/main.js';

process.exitCode = await main(process.argv.slice(2), process.env);
