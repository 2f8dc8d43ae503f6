/**
 * What the kernel will refuse at spawn time, checked before anything starts,
 * so the user hears which variable in which file instead of `spawn E2BIG`
 * or Node's "must be a string without null bytes" with a stack trace.
 *
 * Linux limits one argument or `KEY=value` string to MAX_ARG_STRLEN (131072
 * bytes with its closing NUL), and all of argv plus the environment to ARG_MAX
 * (a quarter of the stack limit: 2 MiB by default). core keeps each process to
 * half that, since it adds variables of its own and the stack limit may be lower.
 */
import type { StackPlan } from '../plan/types.js';
import { withoutSecrets } from '../plan/secrets.js';
import type { Issue } from './errors.js';
import { formatBytes } from './read-input.js';
import type { Settings } from './settings.js';

/** Longest single `KEY=value` or argument, in bytes without the closing NUL. */
export const MAX_STRING_BYTES = 131072 - 1;
/** Most bytes of argv plus environment (strings, their NULs and pointers) core gives one process. */
export const MAX_SPAWN_BYTES = 1024 * 1024;

const POINTER = 8;
const stringCost = (text: string) => Buffer.byteLength(text) + 1 + POINTER;

/** Where a variable was set, as an Issue's `file`: `.env:3`, or `environment`. */
export function variableOrigin(settings: Settings, key: string): string {
  const line = settings.dotenvLines?.[key];
  return line === undefined ? 'environment' : `.env:${line}`;
}

/** Every variable: no NUL (only `.env` can hold one), and none too long for a child that inherits it. */
export function checkVariables(settings: Settings): Issue[] {
  const inherited = withoutSecrets(settings.env);
  const issues: Issue[] = [];
  for (const [key, value] of Object.entries(settings.env)) {
    const file = variableOrigin(settings, key);
    if (value.includes('\0')) issues.push({ file, path: key, message: 'the value contains a NUL byte, which no environment variable can hold' });
    else if (key in inherited && Buffer.byteLength(`${key}=${value}`) > MAX_STRING_BYTES) {
      issues.push({
        file,
        path: key,
        message: `${key}=value is ${formatBytes(Buffer.byteLength(`${key}=${value}`))}; one variable can hold at most ${MAX_STRING_BYTES} bytes (Linux MAX_ARG_STRLEN), and every service inherits it`,
      });
    }
  }
  return issues;
}

/** Each service's command line and environment after placeholders, against the same limits. */
export function checkServices(settings: Settings, plan: StackPlan): Issue[] {
  const base = withoutSecrets(settings.env);
  const issues: Issue[] = [];
  for (const service of plan.services) {
    const { file } = service;
    const argv: Array<{ origin: string; text: string }> = [
      { origin: 'process.command', text: service.command },
      ...service.args.map((arg, i) => ({ origin: `process.args[${i}]`, text: arg })),
    ];
    const env = new Map(Object.entries(base).map(([key, value]) => [key, { text: `${key}=${value}`, origin: `${key} (${variableOrigin(settings, key)})` }]));
    for (const [key, value] of Object.entries(service.env)) env.set(key, { text: `${key}=${value}`, origin: `process.env.${key}` });
    for (const { origin, text } of argv) {
      if (Buffer.byteLength(text) > MAX_STRING_BYTES) issues.push({ file, path: origin, message: `after placeholders, ${tooLong(text)}` });
    }
    for (const [key, value] of Object.entries(service.env)) {
      const text = `${key}=${value}`;
      if (text.includes('\0'))
        issues.push({ file, path: `process.env.${key}`, message: 'the value contains a NUL byte after placeholders, which no environment variable can hold' });
      else if (Buffer.byteLength(text) > MAX_STRING_BYTES) issues.push({ file, path: `process.env.${key}`, message: `after placeholders, ${tooLong(text)}` });
    }
    const all = [...argv, ...env.values()];
    const total = all.reduce((sum, s) => sum + stringCost(s.text), 0);
    if (total > MAX_SPAWN_BYTES) {
      const largest = [...all].sort((a, b) => Buffer.byteLength(b.text) - Buffer.byteLength(a.text)).slice(0, 3);
      issues.push({
        file,
        path: 'process',
        message: `the command line and environment of "${service.name}" come to ${formatBytes(total)}, over the ${formatBytes(MAX_SPAWN_BYTES)} core allows one process (Linux refuses more than ARG_MAX); largest: ${largest.map((s) => `${s.origin} ${formatBytes(Buffer.byteLength(s.text))}`).join(', ')}`,
      });
    }
  }
  return issues;
}

function tooLong(text: string): string {
  return `${formatBytes(Buffer.byteLength(text))}; one argument or variable can hold at most ${MAX_STRING_BYTES} bytes (Linux MAX_ARG_STRLEN)`;
}

/** Both checks; a variable reported once is not reported again through every service's total. */
export function checkSpawnLimits(settings: Settings, plan: StackPlan): Issue[] {
  const variables = checkVariables(settings);
  return variables.length > 0 ? variables : checkServices(settings, plan);
}
