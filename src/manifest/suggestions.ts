/**
 * Schema issues in words a compose user understands: a misspelt key gets the
 * nearest key allowed at that JSON path (read from the zod schema itself, so
 * the list never drifts), a docker-compose or process-compose term gets ours,
 * and zod's "expected record, received array" becomes a sentence about the field.
 */
import type { z } from 'zod';
import { jsonPath } from '../support/errors.js';

/** zod v4's definition of a schema node, as far as walking it needs. */
interface Def {
  readonly type: string;
  readonly shape?: Record<string, { _zod: { def: Def } }>;
  readonly innerType?: { _zod: { def: Def } };
  readonly in?: { _zod: { def: Def } };
  readonly element?: { _zod: { def: Def } };
  readonly valueType?: { _zod: { def: Def } };
  readonly options?: ReadonlyArray<{ _zod: { def: Def } }>;
}

const defOf = (schema: unknown): Def => (schema as { _zod: { def: Def } })._zod.def;

/** The object keys the schema allows at `path` (the JSON value picks a union's branch); [] when it is not an object. */
export function keysAt(schema: unknown, path: readonly PropertyKey[], value: unknown): string[] {
  let def: Def | undefined = defOf(schema);
  let here = value;
  for (let i = 0; def && i <= path.length; ) {
    if (def.innerType) def = defOf(def.innerType);
    else if (def.type === 'pipe' && def.in) def = defOf(def.in);
    else if (def.options) def = def.options.map(defOf).find((d) => matches(d, here));
    else if (i === path.length) return def.shape ? Object.keys(def.shape) : [];
    else {
      const segment = path[i++]!;
      here = (here as Record<PropertyKey, unknown> | undefined)?.[segment];
      const next = def.shape?.[String(segment)] ?? def.element ?? def.valueType;
      def = next ? defOf(next) : undefined;
    }
  }
  return [];
}

/** A discriminated union's branch: the one whose literal `type` equals the value's. */
function matches(def: Def, value: unknown): boolean {
  const literal = def.shape?.type ? (defOf(def.shape.type) as unknown as { values?: unknown[] }).values : undefined;
  return literal === undefined || literal.includes((value as { type?: unknown } | undefined)?.type);
}

/**
 * Levenshtein distance. Hand-written (a dozen lines) because the one in
 * commander is internal and a dependency for it would weigh more than this.
 */
export function editDistance(a: string, b: string): number {
  let row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const next = [i];
    for (let j = 1; j <= b.length; j++) next[j] = Math.min(row[j]! + 1, next[j - 1]! + 1, row[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    row = next;
  }
  return row[b.length]!;
}

/** The closest name within a third of its length (case and -/_ ignored), or undefined. */
export function closest(word: string, names: readonly string[]): string | undefined {
  const norm = (s: string) => s.toLowerCase().replace(/-/g, '_');
  let best: { name: string; distance: number } | undefined;
  for (const name of names) {
    const distance = editDistance(norm(word), norm(name));
    if (distance <= Math.max(1, Math.floor(name.length / 3)) && (!best || distance < best.distance)) best = { name, distance };
  }
  return best?.name;
}

/** docker-compose and process-compose keys, and where core wants them. `at` is the parent's JSON path. */
const KNOWN_KEYS: ReadonlyArray<{ key: string; at?: RegExp; say: string }> = [
  { key: 'environment', say: 'core calls it "env" (process.env: an object of NAME: value pairs)' },
  { key: 'healthcheck', say: 'core calls it "readiness_probe", under process.compose (http_get, exec or tcp_socket)' },
  { key: 'env_file', say: 'core reads the project\'s .env; use "${env.NAME}" in process.env' },
  { key: 'image', say: 'core runs local programs, not images: declare them under "binaries" and run "${dep.<name>}"' },
  { key: 'build', say: 'core runs local programs, not images: declare them under "binaries" and run "${dep.<name>}"' },
  { key: 'volumes', say: 'core has no volumes: a service keeps its data under "${data}"' },
  { key: 'entrypoint', say: 'core calls it "command", under process' },
  { key: 'restart', say: 'core calls it process.compose.availability.restart' },
  { key: 'depends_on', at: /^(|process)$/, say: 'it belongs under process.compose.depends_on' },
  { key: 'command', at: /^$/, say: 'it belongs under process (process.command, with process.args)' },
  { key: 'args', at: /^$/, say: 'it belongs under process (process.args)' },
  { key: 'env', at: /^$/, say: 'it belongs under process (process.env)' },
  { key: 'working_dir', at: /^$/, say: 'it belongs under process (process.working_dir)' },
  { key: 'cwd', say: 'core calls it "working_dir", under process' },
  { key: 'workdir', say: 'core calls it "working_dir", under process' },
  ...['readiness_probe', 'liveness_probe', 'availability', 'shutdown', 'ready_log_line', 'disabled', 'success_exit_codes', 'launch_timeout_seconds'].map((key) => ({
    key,
    at: /^(|process)$/,
    say: `it belongs under process.compose (process.compose.${key})`,
  })),
];

/** Enum values from docker-compose, with ours. */
const KNOWN_VALUES: Readonly<Record<string, string>> = {
  service_started: 'process_started',
  service_healthy: 'process_healthy',
  service_completed_successfully: 'process_completed_successfully',
  'unless-stopped': 'always',
  'on-failure': 'on_failure',
};

/** What a value must look like, for "must be …, not …" sentences. */
const SHAPES: ReadonlyArray<[RegExp, string]> = [
  [/^process\.env$/, 'an object of NAME: value pairs, like {"PORT": "${port.http}"}'],
  [
    /^ports$/,
    'an object of named ports, like {"http": {"port": 8080, "protocol": "http"}} (compose\'s "8080:80" has no container side here: the service listens on the port itself)',
  ],
  [/^process\.compose\.depends_on$/, 'an object of service: {"condition": …} pairs, like {"db": {"condition": "process_healthy"}}'],
  [/^process\.command$/, 'one program as a string; put its arguments in process.args, one per item'],
  [/^process\.args$/, 'a list of strings, one argument per item, like ["server.js", "--port", "${port.http}"]'],
  [/^config$/, 'an object'],
];

const NAMES: Readonly<Record<string, string>> = {
  record: 'an object',
  object: 'an object',
  array: 'a list',
  string: 'a string',
  number: 'a number',
  boolean: 'true or false',
  int: 'a whole number',
};

function kindOf(value: unknown): string {
  if (Array.isArray(value)) return 'a list';
  if (value === null) return 'null';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'string') return `a string (${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)})`;
  if (typeof value === 'number') return `${value}`;
  if (typeof value === 'boolean') return `${value}`;
  return 'missing';
}

function valueAt(json: unknown, path: readonly PropertyKey[]): unknown {
  let here = json;
  for (const segment of path) here = (here as Record<PropertyKey, unknown> | null | undefined)?.[segment];
  return here;
}

/** One zod issue as one or more messages (an unknown-keys issue gives one per key). */
export function explainIssue(schema: unknown, json: unknown, issue: z.core.$ZodIssue): Array<{ path: string; message: string }> {
  const path = jsonPath(issue.path);
  if (issue.code === 'unrecognized_keys') {
    const allowed = keysAt(schema, issue.path, json);
    return issue.keys.map((key) => ({ path, message: `unknown key "${key}"${keyHint(key, path, allowed)}` }));
  }
  if (issue.code === 'invalid_type') {
    const value = valueAt(json, issue.path);
    if (value === undefined) return [{ path, message: 'is required' }];
    const shape = SHAPES.find(([pattern]) => pattern.test(path))?.[1] ?? NAMES[issue.expected] ?? issue.expected;
    return [{ path, message: `must be ${shape}, not ${kindOf(value)}` }];
  }
  if (issue.code === 'invalid_value') {
    const value = valueAt(json, issue.path);
    const values = issue.values.map((v) => JSON.stringify(v)).join(', ');
    const ours = typeof value === 'string' ? (KNOWN_VALUES[value] ?? closest(value, issue.values.map(String))) : undefined;
    return [{ path, message: `${JSON.stringify(value)} is not one of ${values}${ours ? `; did you mean "${ours}"?` : ''}` }];
  }
  return [{ path, message: issue.message }];
}

function keyHint(key: string, parent: string, allowed: readonly string[]): string {
  const known = KNOWN_KEYS.find((k) => k.key === key && (!k.at || k.at.test(parent)));
  if (known) return `: ${known.say}`;
  const near = closest(key, allowed);
  if (near) return `; did you mean "${near}"?`;
  return allowed.length > 0 ? ` (allowed here: ${allowed.join(', ')})` : '';
}
