#!/usr/bin/env node
// Bundle the CLI with esbuild: one entry plus lazily loaded chunks (one per
// command), so `core --help` parses commander and little else. Bundling saves
// ~40% of start-up over plain tsc output (bench/cli.mjs). Type checking is
// `npm run typecheck`; this only transpiles.
import { build } from 'esbuild';

await build({
  entryPoints: { core: 'cmd/core.ts' },
  outdir: 'dist',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  sourcemap: 'linked',
  logLevel: 'warning',
  // Some dependencies (dotenv) are CommonJS and call require().
  banner: { js: "import { createRequire as __coreRequire } from 'node:module'; const require = __coreRequire(import.meta.url);" },
});
