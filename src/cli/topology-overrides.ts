/**
 * The topology records the controller (CORE_CONTROLLER=1) keeps in
 * `.core-stack/controller/topology.json`: `{ "<service>": { topology?, deployment? } }`.
 * Every plan made while the controller is on reads them (load-stack.ts), so
 * `core up` on a running stack keeps what a record set; the values are checked
 * like a manifest's (src/plan/expand.ts).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { checkOwner } from '../control/paths.js';
import type { TopologyOverrides } from '../plan/expand.js';
import { InputError } from '../support/errors.js';
import type { Settings } from '../support/settings.js';

export function topologyOverridesPath(stackDir: string): string {
  return path.join(stackDir, 'controller', 'topology.json');
}

export function readTopologyOverrides(settings: Pick<Settings, 'root' | 'stackDir'>): TopologyOverrides | undefined {
  const file = topologyOverridesPath(settings.stackDir);
  checkOwner(settings.stackDir); // another user's stack folder: say whose it is, not EACCES
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    // No file (or no stack folder yet, or something else in its place: `up` says that itself).
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    throw new InputError('bad-file', `${path.relative(settings.root, file)}: cannot be read (${(error as NodeJS.ErrnoException).code})`);
  }
  const shown = path.relative(settings.root, file);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new InputError('bad-file', `${shown}: not valid JSON (the controller writes it; remove it to return to the manifests)`);
  }
  if (!json || typeof json !== 'object' || Array.isArray(json) || Object.values(json).some((v) => !v || typeof v !== 'object' || Array.isArray(v))) {
    throw new InputError('bad-file', `${shown}: expected { "<service>": { "topology": …, "deployment": … } }`);
  }
  return { file: shown, services: json as TopologyOverrides['services'] };
}
