/**
 * Env keys that hold secrets: never written to disk in clear, never shown, and
 * given only to the processes that declare them (not through the shared base
 * environment).
 */
export const SECRET_KEY = /PASSWORD|PASSWD|SECRET|TOKEN|API_?KEY|PRIVATE_?KEY|CREDENTIAL/i;

/** The environment less every variable whose name looks like a secret: the base every process starts from. */
export function withoutSecrets(env: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(Object.entries(env).filter(([key]) => !SECRET_KEY.test(key)));
}
