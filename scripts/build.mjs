#!/usr/bin/env node
// Bundle the CLI with esbuild: one entry plus lazily loaded chunks (one per
// command), so `core --help` parses commander and little else. Bundling saves
// ~40% of start-up over plain tsc output (bench/cli.mjs). Type checking is
// `npm run typecheck`; this only transpiles.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { build } from 'esbuild';

// Identifies what validates manifests, so a cached validation (src/manifest/cache.ts)
// never outlives a change to the rules.
const hash = createHash('sha256');
for (const dir of ['src/manifest', 'src/plan']) {
  for (const file of fs.readdirSync(dir).sort()) hash.update(file).update(fs.readFileSync(`${dir}/${file}`));
}
hash.update(fs.readFileSync('package-lock.json'));

const common = {
  bundle: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  sourcemap: 'linked',
  logLevel: 'warning',
  define: { __CORE_BUILD_ID__: JSON.stringify(hash.digest('hex').slice(0, 16)) },
  // Some dependencies (dotenv) are CommonJS and call require().
  banner: { js: "import { createRequire as __coreRequire } from 'node:module'; const require = __coreRequire(import.meta.url);" },
};

await build({ ...common, entryPoints: { core: 'cmd/core.ts' }, outdir: 'dist', splitting: true });
// `core status` and `core validate` as graphs of their own (src/cli/standalone.ts): one file
// for status; validate keeps zod in a chunk of its own, loaded only without a cached validation.
await build({ ...common, entryPoints: { status: 'cmd/standalone/status.ts' }, outdir: 'dist/status', splitting: false });
await build({ ...common, entryPoints: { validate: 'cmd/standalone/validate.ts' }, outdir: 'dist/validate', splitting: true });

// The dashboard's page (src/dashboard/ui/, docs/dashboard.md): Preact and htm from
// node_modules, bundled for the browser into dist/dashboard/, which the supervisor
// serves when `core dashboard` asks. Apart from the CLI's bundles: nothing here is
// on the CLI's start-up path.
await build({
  entryPoints: ['src/dashboard/ui/app.js', 'src/dashboard/ui/app.css'],
  outdir: 'dist/dashboard',
  bundle: true,
  format: 'esm',
  platform: 'browser',
  target: ['chrome109', 'firefox115', 'safari16'],
  minify: true,
  logLevel: 'warning',
});
fs.copyFileSync('src/dashboard/ui/index.html', 'dist/dashboard/index.html');
