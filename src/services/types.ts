/** What a per-service renderer adds to the generated stack. */
import type { PlannedService, StackPlan } from '../plan/types.js';

export interface GeneratedFile {
  /** Absolute path under the stack folder. */
  readonly path: string;
  readonly content: string;
}

export interface Rendered {
  readonly files: readonly GeneratedFile[];
}

export type Renderer = (service: PlannedService, plan: StackPlan) => Rendered;

/** `host:port`, with brackets for IPv6. */
export function hostPort(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}
