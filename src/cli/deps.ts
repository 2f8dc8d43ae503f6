/** `core deps install [svc…]` and `core deps list`: the CLI face of src/deps. */
import { loadManifests, type LoadedManifest } from '../manifest/load.js';
import type { Binary } from '../manifest/schema.js';
import { createProgressRenderer, formatTable, jsonBinaries, listedFromProvisioned } from '../deps/format.js';
import { listProvisioned } from '../deps/list.js';
import { provisionBinaries } from '../deps/provision.js';
import { InputError } from '../support/errors.js';
import { print, printJson } from './output.js';
import { loadSettings } from '../support/load-settings.js';
import type { CliContext } from './context.js';
import type { Settings } from '../support/settings.js';

interface Options {
  readonly json?: boolean;
}

export async function depsInstall(ctx: CliContext, services: string[], options: Options): Promise<void> {
  const { settings, binaries } = await load(ctx, services);
  const provisioned = await provisionBinaries(binaries, settings, {
    reporter: createProgressRenderer((line) => process.stderr.write(`${line}\n`)),
  });
  const pinned = new Map(binaries.map((b) => [b.name, b.version]));
  const listed = provisioned.map((p) => listedFromProvisioned(p, pinned.get(p.name) ?? p.version));
  output(listed, options);
}

export async function depsList(ctx: CliContext, options: Options): Promise<void> {
  const { settings, binaries } = await load(ctx, []);
  const listed = await listProvisioned(binaries, settings);
  output(listed, options);
}

async function load(ctx: CliContext, services: readonly string[]): Promise<{ settings: Settings; binaries: Binary[] }> {
  const settings = loadSettings(process.cwd(), ctx.env);
  const manifests = await loadManifests(settings);
  return { settings, binaries: select(manifests, services).flatMap((m) => m.manifest.binaries) };
}

function select(manifests: readonly LoadedManifest[], services: readonly string[]): LoadedManifest[] {
  if (services.length === 0) return [...manifests];
  const byName = new Map(manifests.map((m) => [m.manifest.name, m]));
  const unknown = services.filter((name) => !byName.has(name));
  if (unknown.length > 0) {
    throw new InputError('unknown-service', `unknown service${unknown.length === 1 ? '' : 's'}: ${unknown.join(', ')}`, [
      `known services: ${[...byName.keys()].join(', ') || 'none'}`,
    ]);
  }
  return [...new Set(services)].map((name) => byName.get(name) as LoadedManifest);
}

function output(listed: Parameters<typeof formatTable>[0], options: Options): void {
  if (options.json) {
    printJson({ binaries: jsonBinaries(listed) });
    return;
  }
  for (const line of formatTable(listed)) print(line);
}
