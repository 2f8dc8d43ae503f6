/** What a per-service renderer adds to the generated stack. */
import type { PlannedService, StackPlan } from '../plan/types.js';

export interface GeneratedFile {
  /** Absolute path under the stack folder. */
  readonly path: string;
  readonly content: string;
  /**
   * The content with the parts a running process takes by reload left out: a
   * change there alone reloads the process (Rendered.reload) instead of replacing it.
   */
  readonly stable?: string;
}

/** How a running process takes a new version of its config's reloadable parts (compose `x-core.reload`). */
export interface ReloadSpec {
  readonly signal: number;
  /** Fingerprint of the reloadable parts. */
  readonly sha256: string;
  /** NATS: `nats-server -t -c FILE` prints the digest that `/varz` `config_digest` must then show. */
  readonly verify?: { readonly test_argv: readonly string[]; readonly varz_url: string };
}

export interface Rendered {
  readonly files: readonly GeneratedFile[];
  readonly reload?: ReloadSpec;
  /** Output lines worth an event of their own (compose `x-core.alerts`): a refused NATS route. */
  readonly alerts?: readonly { readonly match: string; readonly message: string }[];
}

export type Renderer = (service: PlannedService, plan: StackPlan) => Rendered;

/** `host:port`, with brackets for IPv6. */
export function hostPort(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}
