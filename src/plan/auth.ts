/**
 * Per-stack credentials (NATS `config.auth: "user-password"`). Pure: which
 * services want them, the variable that carries the password to the server,
 * and the URL clients get. The password itself is generated and kept by
 * src/services/credentials-file.ts and passed in with the plan's inputs.
 */
import type { AUTH_MODES, Manifest } from '../manifest/schema.js';

export type AuthMode = (typeof AUTH_MODES)[number];

/** The user name clients authenticate as; the password is what is secret. */
export const AUTH_USER = 'core';

export interface Credentials {
  readonly user: string;
  readonly password: string;
}

/** Per service name. */
export type StackCredentials = Readonly<Record<string, Credentials>>;

export function authMode(manifest: Pick<Manifest, 'renderer' | 'config'>): AuthMode {
  return manifest.renderer === 'nats' && manifest.config.auth === 'user-password' ? 'user-password' : 'off';
}

/**
 * The variable, in the server's own environment, that nats.conf reads the
 * password from (`password: $VAR`), so the file holds no secret. Named per
 * service because process-compose gives every process one shared environment.
 */
export function passwordVar(service: string): string {
  return `CORE_${service.toUpperCase().replace(/[^A-Z0-9]/g, '_')}_AUTH_PASSWORD`;
}

/** `nats://user:password@host:port`, or without credentials when auth is off. */
export function natsUrl(host: string, port: number, credentials?: Credentials): string {
  const where = host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
  if (!credentials) return `nats://${where}`;
  return `nats://${encodeURIComponent(credentials.user)}:${encodeURIComponent(credentials.password)}@${where}`;
}
