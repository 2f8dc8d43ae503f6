/**
 * A secret may be read in `process.env` only: that is the one place kept out of
 * the generated files, redacted by `spec`, and handed to the declaring process
 * alone. Everywhere else (command line, probes, config, hosts) it would be on a
 * `ps` listing or in a file in clear, so the plan refuses it and says what to
 * do instead. Messages name the variable, never its value.
 */

/** The message for a secret read at `at` (a manifest JSON path) other than process.env. */
export function secretRefusal(at: string, names: readonly string[]): string {
  const what = `reads a secret variable (${names.join(', ')})`;
  const example = envExample(names[0] ?? 'SECRET');
  if (at === 'process.command' || at.startsWith('process.args')) {
    return `${what}: pass secrets in process.env, never on the command line (visible to every user in ps, and written to the generated file)`;
  }
  if (/\.exec\.(command|working_dir)/.test(at)) {
    return `${what}: an exec probe's command is visible to every user in ps and written to the generated file; declare it in process.env (${example.declare}) and read ${example.read} inside the command: the probe runs with the service's environment`;
  }
  if (/\.http_get\.headers\./.test(at)) {
    return `${what}: a probe header is written to the generated file in clear; use an exec probe that reads the secret from the service's environment instead (see docs/security.md)`;
  }
  if (at.startsWith('config')) {
    return `${what}: config is written to generated files and shown by spec; pass the secret in process.env (${example.declare}) and let the service read it from its environment`;
  }
  return `${what}: only process.env may read a secret (this field is written to the generated file and shown by spec)`;
}

function envExample(name: string): { declare: string; read: string } {
  if (name.startsWith('svc.')) {
    const variable = name
      .split('.')
      .slice(1)
      .join('_')
      .toUpperCase()
      .replace(/[^A-Z0-9_]/g, '_');
    return { declare: `"${variable}": "\${${name}}"`, read: `"$${variable}"` };
  }
  return { declare: `"${name}": "\${env.${name}}"`, read: `"$${name}"` };
}
