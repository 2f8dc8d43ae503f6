/**
 * A record's value judged exactly as a manifest's: the manifest rules'
 * `validateTopology` (src/manifest/topology.ts), prefixed `config.` as in a
 * service.json, so a refusal names the same path a manifest error would.
 */
import type { Issue } from '../support/errors.js';
import type { Override } from './records.js';

const TOPOLOGIES = ['single-node', 'cluster', 'hub-spoke'];

// Until the manifest rules validate topologies (the lead's foundation), the
// least that keeps a bad value out: the three names and an object deployment.
export function validateOverride(file: string, value: Override): Issue[] {
  const issues: Issue[] = [];
  if (value.topology !== undefined && !TOPOLOGIES.includes(String(value.topology))) {
    issues.push({ file, path: 'config.topology', message: `"${String(value.topology)}" is not one of ${TOPOLOGIES.join(', ')}` });
  }
  if (value.deployment !== undefined && (typeof value.deployment !== 'object' || value.deployment === null || Array.isArray(value.deployment))) {
    issues.push({ file, path: 'config.deployment', message: 'must be an object of deployments (local, production, …)' });
  }
  return issues;
}
