/**
 * `core internal pocketbase-superuser`: the one-shot the generated stack runs
 * before PocketBase serves. It reads the credentials from its own environment
 * (the engine passes the settings' environment to every process), so the
 * password is never in the generated file or in `core status`.
 */
import { execa } from 'execa';
import { RuntimeError } from '../support/errors.js';

type Env = Readonly<Record<string, string | undefined>>;

export const DEFAULT_SUPERUSER_EMAIL = 'admin@example.com';

export interface SuperuserOptions {
  readonly binary: string;
  readonly dir: string;
  readonly emailEnv: string;
  readonly passwordEnv: string;
}

export async function upsertSuperuser(env: Env, options: SuperuserOptions): Promise<void> {
  const password = env[options.passwordEnv];
  if (!password) {
    process.stdout.write(`${options.passwordEnv} is not set: no superuser upserted (PocketBase will print an installer link instead)\n`);
    return;
  }
  const email = env[options.emailEnv] || DEFAULT_SUPERUSER_EMAIL;
  const result = await execa(options.binary, ['superuser', 'upsert', email, password, '--dir', options.dir], { reject: false, all: true });
  const output = (result.all ?? '').replaceAll(password, '<redacted>');
  process.stdout.write(`${output}\n`);
  // PocketBase v0.39 exits 0 even when the command fails: trust its message, not its exit code.
  if (result.exitCode !== 0 || !output.includes('Successfully saved superuser')) {
    throw new RuntimeError('superuser-upsert-failed', `pocketbase superuser upsert failed for ${email} (exit ${result.exitCode ?? 'none'})`, output.trim().split('\n').slice(-5));
  }
}
