/**
 * PocketBase: before `serve`, a one-shot helper upserts the superuser from the
 * variables named in `config.superuser`. The helper is `core` itself
 * (`core internal pocketbase-superuser`), which reads the password from its
 * environment at run time, so it is never written into the generated file.
 */
import { configError, configString } from './config-error.js';
import type { Renderer } from './types.js';

export const SUPERUSER_HELPER_SUFFIX = '-superuser';

export const renderPocketbase: Renderer = (service, plan) => {
  const superuser = service.config.superuser;
  if (superuser === undefined) return { files: [], helpers: [] };
  if (!superuser || typeof superuser !== 'object') throw configError(service, 'superuser', 'must be an object with email_env and password_env');
  const { email_env: emailEnv, password_env: passwordEnv } = superuser as Record<string, unknown>;
  for (const [key, value] of Object.entries({ email_env: emailEnv, password_env: passwordEnv })) {
    if (typeof value !== 'string' || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(value)) throw configError(service, `superuser.${key}`, 'must name an environment variable');
  }
  const binary = service.binaryPaths[configString(service, 'binary', service.binaries[0]?.name ?? 'pocketbase')];
  if (!binary) throw configError(service, 'binary', 'is not one of this service\'s binaries');
  const dataDir = configString(service, 'data_dir');
  return {
    files: [],
    helpers: [
      {
        name: `${service.name}${SUPERUSER_HELPER_SUFFIX}`,
        process: {
          description: `Upserts the ${service.name} superuser from ${String(emailEnv)} and ${String(passwordEnv)} (skipped when the password is unset).`,
          entrypoint: [...plan.self, 'internal', 'pocketbase-superuser', '--binary', binary, '--dir', dataDir, '--email-env', String(emailEnv), '--password-env', String(passwordEnv)],
          working_dir: service.workingDir,
          environment: [],
          availability: { restart: 'no' },
          'x-core': { service: service.name, one_shot: true },
        },
      },
    ],
  };
};
