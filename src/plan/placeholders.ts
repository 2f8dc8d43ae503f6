/**
 * Placeholders in manifest strings (DESIGN.md): `${dep.<binary>}`, `${data}`,
 * `${stack}`, `${env.VAR}`, `${env.VAR:-default}`, `${port.<name>}`,
 * `${svc.<other>.port.<name>}`, and `$${` for a literal `${`. Two additions:
 * `${port.<name>.host}` and `${svc.<other>.port.<name>.host}` give a port's
 * listen address. `${svc.<other>.auth.user|password|url}` give a service's
 * generated credentials (NATS with `config.auth: "user-password"`); password
 * and url are secrets. `${process}` is the name of the process being planned
 * (`nats-2` in a NATS cluster; the service's own name otherwise). Resolution is string substitution only, never a shell.
 */

export type Placeholder =
  | { readonly kind: 'dep'; readonly binary: string }
  | { readonly kind: 'data' }
  | { readonly kind: 'stack' }
  | { readonly kind: 'process' }
  | { readonly kind: 'env'; readonly name: string; readonly fallback?: string }
  | { readonly kind: 'port'; readonly service?: string; readonly port: string; readonly field: 'port' | 'host' }
  | { readonly kind: 'auth'; readonly service: string; readonly field: AuthField };

export type AuthField = 'user' | 'password' | 'url';

export type Segment = string | { readonly raw: string; readonly placeholder: Placeholder };

export type Parsed = { readonly ok: true; readonly segments: readonly Segment[] } | { readonly ok: false; readonly error: string };

const NAME = '[a-z][a-z0-9_-]*';
const FORMS: ReadonlyArray<[RegExp, (m: RegExpMatchArray) => Placeholder]> = [
  [/^dep\.([A-Za-z0-9][A-Za-z0-9._-]*)$/, (m) => ({ kind: 'dep', binary: m[1]! })],
  [/^data$/, () => ({ kind: 'data' })],
  [/^stack$/, () => ({ kind: 'stack' })],
  [/^process$/, () => ({ kind: 'process' })],
  [/^env\.([A-Za-z_][A-Za-z0-9_]*)$/, (m) => ({ kind: 'env', name: m[1]! })],
  [/^env\.([A-Za-z_][A-Za-z0-9_]*):-(.*)$/s, (m) => ({ kind: 'env', name: m[1]!, fallback: m[2]! })],
  [new RegExp(`^port\\.(${NAME})(\\.host)?$`), (m) => ({ kind: 'port', port: m[1]!, field: m[2] ? 'host' : 'port' })],
  [new RegExp(`^svc\\.(${NAME})\\.port\\.(${NAME})(\\.host)?$`), (m) => ({ kind: 'port', service: m[1]!, port: m[2]!, field: m[3] ? 'host' : 'port' })],
  [new RegExp(`^svc\\.(${NAME})\\.auth\\.(user|password|url)$`), (m) => ({ kind: 'auth', service: m[1]!, field: m[2] as AuthField })],
];

/** Split a string into literal text and placeholders. */
export function parsePlaceholders(text: string): Parsed {
  const segments: Segment[] = [];
  let literal = '';
  let i = 0;
  while (i < text.length) {
    if (text.startsWith('$${', i)) {
      literal += '${';
      i += 3;
    } else if (text.startsWith('${', i)) {
      const end = text.indexOf('}', i + 2);
      if (end === -1) return { ok: false, error: `unterminated placeholder "${text.slice(i)}" (missing "}")` };
      const raw = text.slice(i, end + 1);
      const body = raw.slice(2, -1);
      const form = FORMS.find(([pattern]) => pattern.test(body));
      if (!form) return { ok: false, error: `unknown placeholder "${raw}"${hint(body)}` };
      if (literal) segments.push(literal);
      literal = '';
      segments.push({ raw, placeholder: form[1](body.match(form[0])!) });
      i = end + 1;
    } else {
      literal += text[i];
      i += 1;
    }
  }
  if (literal) segments.push(literal);
  return { ok: true, segments };
}

function hint(body: string): string {
  if (body === '') return ' (empty)';
  if (body.startsWith('env.')) return ' (expected ${env.NAME} or ${env.NAME:-default})';
  if (body.startsWith('port')) return ' (expected ${port.<name>} or ${port.<name>.host})';
  if (body.startsWith('svc')) return ' (expected ${svc.<service>.port.<name>} or ${svc.<service>.auth.user|password|url})';
  if (body.startsWith('dep')) return ' (expected ${dep.<binary>})';
  // A compose or shell habit: `${FEATURE_FLAG}` means the environment variable here.
  if (/^[A-Z_][A-Z0-9_]*(:?-.*)?$/s.test(body)) return `; did you mean "\${env.${body.replace(/^([A-Z0-9_]+):?-/, '$1:-')}}"? (core placeholders name their source)`;
  return '; known forms: ${dep.*}, ${data}, ${stack}, ${process}, ${env.*}, ${port.*}, ${svc.*.port.*}, ${svc.*.auth.*}; write $${ for a literal ${';
}

/** What a placeholder can resolve against. Each lookup returns undefined when unknown. */
export interface PlaceholderScope {
  dep(binary: string): string | undefined;
  readonly data: string;
  readonly stack: string;
  env(name: string): string | undefined;
  port(service: string | undefined, port: string, field: 'port' | 'host'): string | undefined;
  /** Another service's generated credentials; undefined where none are planned. */
  auth?(service: string, field: AuthField): string | undefined;
  /** The name of the process being planned (the service's, unless its topology expands it). */
  readonly process?: string;
  /** Names offered in "unknown …" messages. */
  describe(placeholder: Placeholder): string;
}

export type Resolved = { readonly ok: true; readonly value: string } | { readonly ok: false; readonly error: string };

export function resolvePlaceholders(text: string, scope: PlaceholderScope): Resolved {
  const parsed = parsePlaceholders(text);
  if (!parsed.ok) return parsed;
  let value = '';
  for (const segment of parsed.segments) {
    if (typeof segment === 'string') {
      value += segment;
      continue;
    }
    const resolved = lookup(segment.placeholder, scope);
    if (resolved === undefined) return { ok: false, error: `cannot resolve "${segment.raw}": ${scope.describe(segment.placeholder)}` };
    value += resolved;
  }
  return { ok: true, value };
}

function lookup(placeholder: Placeholder, scope: PlaceholderScope): string | undefined {
  switch (placeholder.kind) {
    case 'dep':
      return scope.dep(placeholder.binary);
    case 'data':
      return scope.data;
    case 'stack':
      return scope.stack;
    case 'process':
      return scope.process;
    case 'env': {
      // As in a shell, `:-` also replaces a variable that is set but empty.
      const value = scope.env(placeholder.name);
      return placeholder.fallback !== undefined && !value ? placeholder.fallback : value;
    }
    case 'port':
      return scope.port(placeholder.service, placeholder.port, placeholder.field);
    case 'auth':
      return scope.auth?.(placeholder.service, placeholder.field);
  }
}
