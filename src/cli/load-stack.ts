/** Settings → manifests → plan: what most commands start with. */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadManifests, type LoadedManifest } from '../manifest/load.js';
import { resolvePlan } from '../plan/resolve.js';
import type { StackPlan } from '../plan/types.js';
import { loadSettings } from '../support/load-settings.js';
import type { Settings } from '../support/settings.js';

type Env = Readonly<Record<string, string | undefined>>;

export interface LoadedStack {
  readonly settings: Settings;
  readonly manifests: readonly LoadedManifest[];
  readonly plan: StackPlan;
}

/** argv that runs this very `core`: the compiled entry beside this module. */
export function selfArgv(): string[] {
  return [process.execPath, path.resolve(fileURLToPath(import.meta.url), '../../../cmd/core.js')];
}

export async function loadStack(env: Env): Promise<LoadedStack> {
  const settings = loadSettings(process.cwd(), env);
  const manifests = await loadManifests(settings);
  const plan = resolvePlan({ manifests, settings, self: selfArgv() });
  return { settings, manifests, plan };
}
