/**
 * The PocketBase superuser the controller signs in as. Its variables are the
 * manifest's `config.superuser.email_env` / `password_env` (the same the
 * pb_hooks upsert reads). With the controller on and no password set, one is
 * generated per project and kept like the NATS credentials
 * (`.data/secrets/<service>.password`, 0600): it reaches PocketBase only
 * through its environment (`${env.<password_env>}` in the manifest's
 * process.env, a secret key the plan keeps out of every generated file), never
 * a command line or output. Every `core` command of the project finds the same
 * file, so a later `core apply` plans the same environment.
 */
import type { LoadedManifest } from '../manifest/validate.js';
import type { PlannedService, StackPlan } from '../plan/types.js';
import { credentialsFile, readOrCreate } from '../services/credentials-file.js';
import { DEFAULT_SUPERUSER_EMAIL } from '../services/pocketbase.js';
import type { Settings } from '../support/settings.js';

export interface SuperuserVars {
  readonly emailEnv: string;
  readonly passwordEnv: string;
}

/** The superuser's variable names from a PocketBase service's config, if it declares them. */
export function superuserVars(config: Readonly<Record<string, unknown>>): SuperuserVars | undefined {
  const superuser = config.superuser as Record<string, unknown> | undefined;
  if (!superuser || typeof superuser !== 'object') return undefined;
  const { email_env: emailEnv, password_env: passwordEnv } = superuser;
  return typeof emailEnv === 'string' && typeof passwordEnv === 'string' ? { emailEnv, passwordEnv } : undefined;
}

/**
 * Settings whose env holds a superuser password for each PocketBase service
 * that has none set: only with the controller on (off, nothing changes).
 */
export function withSuperuserPassword(settings: Settings, manifests: readonly LoadedManifest[]): Settings {
  if (!settings.controller) return settings;
  const env: Record<string, string> = { ...settings.env };
  let added = false;
  for (const { manifest } of manifests) {
    if (manifest.renderer !== 'pocketbase') continue;
    const vars = superuserVars(manifest.config);
    if (!vars || env[vars.passwordEnv]) continue;
    env[vars.passwordEnv] = readOrCreate(credentialsFile(settings.dataDir, manifest.name));
    added = true;
  }
  return added ? { ...settings, env } : settings;
}

/** The PocketBase service of a plan and where the controller reaches it, with its superuser's credentials. */
export interface PocketbaseTarget {
  readonly service: PlannedService;
  readonly url: string;
  readonly email: string;
  readonly password: string;
}

/** undefined with the reason when the plan has no PocketBase the controller can sign in to. */
export function pocketbaseTarget(plan: StackPlan): PocketbaseTarget | { readonly problem: string } {
  const service = plan.services.find((s) => s.renderer === 'pocketbase');
  if (!service) return { problem: 'no service with "renderer": "pocketbase"' };
  const http = service.ports.http;
  if (!http) return { problem: `${service.file}: no port named "http"` };
  const vars = superuserVars(service.config);
  if (!vars) return { problem: `${service.file}: config.superuser: needs email_env and password_env` };
  const password = service.env[vars.passwordEnv];
  if (!password) return { problem: `${service.file}: process.env: ${vars.passwordEnv} is not given to PocketBase, so it has no superuser to sign in as` };
  // A wildcard listen address is no address to connect to.
  const host = ['0.0.0.0', '::', '[::]', ''].includes(http.host) ? '127.0.0.1' : http.host;
  const where = host.includes(':') ? `[${host}]` : host;
  return { service, url: `http://${where}:${http.port}`, email: service.env[vars.emailEnv] || DEFAULT_SUPERUSER_EMAIL, password };
}
