/**
 * The NATS node(s) a host's supervisor and `core status --all-hosts` talk to
 * (pure): those placed on this host, reached on their client port where the
 * plan says they listen, with the service's credentials when its
 * `config.auth` asks for them (the same user and password its clients get,
 * as src/services/nats-migrate/carry.ts reads them). Only this host's: the
 * view needs no route to another host's client port.
 */
import { AUTH_USER, authMode } from '../../plan/auth.js';
import type { StackPlan } from '../../plan/types.js';
import { hostPort } from '../../services/types.js';

export interface LocalNats {
  /** The NATS processes on this host, in plan order. */
  readonly names: readonly string[];
  /** `nats://host:port`, without credentials (they are for messages too). */
  readonly servers: readonly string[];
  readonly user?: string;
  readonly pass?: string;
}

/** Undefined when no NATS node runs on the plan's host. */
export function localNats(plan: Pick<StackPlan, 'services'>): LocalNats | undefined {
  const nodes = plan.services.filter((s) => s.renderer === 'nats' && s.ports.client);
  const first = nodes[0];
  if (!first) return undefined;
  const servers = nodes.map((s) => `nats://${hostPort(s.ports.client!.host, s.ports.client!.port)}`);
  if (authMode({ renderer: 'nats', config: first.config }) !== 'user-password') return { names: nodes.map((s) => s.name), servers };
  const key = first.secretEnv.find((k) => /^CORE_.+_AUTH_PASSWORD$/.test(k));
  const pass = key ? first.env[key] : undefined;
  return { names: nodes.map((s) => s.name), servers, ...(pass ? { user: AUTH_USER, pass } : {}) };
}
