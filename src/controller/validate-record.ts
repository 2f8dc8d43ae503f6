/**
 * A record's value judged as the planner judges an override (src/plan/expand.ts):
 * only a NATS service has a topology; the record's own fields pass the manifest
 * rules' `validateTopology`, paths prefixed `config.` as in a service.json; and
 * the result, over the service's values, must name a deployment in force
 * (CORE_DEPLOYMENT). What only planning can tell (a port in use) is left to
 * `core apply`, whose refusal reaches the record all the same.
 */
import { TopologyConfigSchema, topologyShape, validateTopology } from '../manifest/topology.js';
import type { Issue } from '../support/errors.js';
import type { Override, ServiceInfo } from './records.js';

export function validateOverride(service: ServiceInfo, value: Override, deployment: string): Issue[] {
  const { file } = service;
  if (service.renderer !== 'nats') return [{ file, path: 'config.topology', message: 'this service has no topology (only a NATS service has)' }];
  const issues = validateTopology(file, value, ['config']);
  if (issues.length > 0) return issues;
  const merged = TopologyConfigSchema.safeParse({ topology: service.topology, deployment: service.deployment, ...value });
  if (!merged.success) return validateTopology(file, { topology: service.topology, deployment: service.deployment, ...value }, ['config']);
  const shape = topologyShape(merged.data, deployment);
  return shape.ok ? [] : [{ file, path: shape.path, message: shape.message }];
}
