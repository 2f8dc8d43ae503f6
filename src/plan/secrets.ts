/**
 * Env keys that hold secrets: never written to disk in clear, never shown, and
 * given only to the processes that declare them (not through the shared base
 * environment).
 */
import { parsePlaceholders } from './placeholders.js';

export const SECRET_KEY = /PASSWORD|PASSWD|SECRET|TOKEN|API_?KEY|PRIVATE_?KEY|CREDENTIAL/i;

/** The environment less every variable whose name looks like a secret: the base every process starts from. */
export function withoutSecrets(env: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(Object.entries(env).filter(([key]) => !SECRET_KEY.test(key)));
}

/**
 * The secrets a manifest string reads, by name (`API_TOKEN`,
 * `svc.nats.auth.password`), never by value: `${env.X}` with a secret-looking
 * name, and a service's generated password or the URL that carries it.
 */
export function secretsRead(text: string): string[] {
  const parsed = parsePlaceholders(text);
  if (!parsed.ok) return [];
  const names: string[] = [];
  for (const segment of parsed.segments) {
    if (typeof segment === 'string') continue;
    const p = segment.placeholder;
    if (p.kind === 'env' && SECRET_KEY.test(p.name)) names.push(p.name);
    else if (p.kind === 'auth' && p.field !== 'user') names.push(`svc.${p.service}.auth.${p.field}`);
  }
  return [...new Set(names)];
}

/** True when the text reads a secret (see secretsRead). */
export function usesSecret(text: string): boolean {
  return secretsRead(text).length > 0;
}
