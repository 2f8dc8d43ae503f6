/**
 * `.core-stack/controller/topology.json`: the valid records' values, which
 * `core up`, `core apply` and `core generate` plan with (a record wins over the
 * manifest). Written whole and atomically, 0600 in a 0700 folder; no file is
 * the same as no override. `{ "<service>": { "topology": …, "deployment": … } }`.
 */
import fs from 'node:fs';
import path from 'node:path';
import { topologyOverridesPath } from '../cli/topology-overrides.js';
import { writeAtomicSync } from '../support/atomic-write.js';
import { canonical, type Override, type Overrides } from './records.js';

/** The one definition of the path is the reader's (every plan reads the file). */
export function overridesFile(stackDir: string): string {
  return topologyOverridesPath(stackDir);
}

/** What the file holds now ({} when there is none, or it is not an object of objects). */
export function readOverrides(file: string): Overrides {
  let parsed: unknown;
  try {
    parsed = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch {
    return {};
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) return {};
  return Object.fromEntries(Object.entries(parsed).filter(([, value]) => value && typeof value === 'object' && !Array.isArray(value))) as Record<string, Override>;
}

/** Writes the set (keys sorted, so equal sets are equal bytes); an empty set removes the file. */
export function writeOverrides(file: string, overrides: Overrides): void {
  if (Object.keys(overrides).length === 0) {
    fs.rmSync(file, { force: true });
    return;
  }
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  writeAtomicSync(file, `${JSON.stringify(JSON.parse(canonical(overrides)), null, 2)}\n`);
}
