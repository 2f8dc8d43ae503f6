/**
 * `POST /project`: a new document for the running stack, in process-compose's
 * shape. In: the document as JSON (our compose model, strict), with an
 * optional top-level `x-core` of ours:
 *
 *   { secrets?: {process: {KEY: value}},   values for each process's `x-core.secret_env`
 *     start?: [process…],                  also bring these up (`core up svc`)
 *     only?: [process…],                   take only these definitions from the document
 *     restart?: [process…],                replace these even if unchanged (`core restart`)
 *     timeout_ms?: n,                      wait this long for what was started
 *     no_wait?: true,                      answer once it is started, not ready
 *     dry_run?: true }                     only say what would change
 *
 * Secrets travel only here, over the 0600 socket in the 0700 stack folder,
 * never in the document; a process sent without them keeps the values it runs
 * with. Out, as process-compose: a map of changed process → "added" |
 * "updated" | "removed" | "error" (200; 207 when one is "error"), and ours,
 * "reloaded", for a kept process whose config was reloaded in place
 * (`x-core.reload`; process-compose's word would be "updated"), plus
 * `"x-core.apply"` (a key no process can have: names hold no dot) with the
 * diff, its reasons and the ready times. 400 for a malformed document, 409
 * while another apply runs or the stack stops.
 */
import { z } from 'zod';
import { ComposeDocSchema, type ComposeDoc } from '../compose/schema.js';
import type { ApplyResult, Reloaded, StackDiff, Supervisor } from '../engine/index.js';
import type { Answer } from './server.js';

export { APPLY_KEY } from './client.js';
import { APPLY_KEY } from './client.js';

const ApplyOptionsSchema = z.strictObject({
  secrets: z.record(z.string(), z.record(z.string(), z.string())).optional(),
  start: z.array(z.string()).optional(),
  only: z.array(z.string()).optional(),
  restart: z.array(z.string()).optional(),
  timeout_ms: z.number().int().min(1).max(3_600_000).optional(),
  no_wait: z.boolean().optional(),
  dry_run: z.boolean().optional(),
  /** Every service's planned ports, for the state file (`core status`, `core logs`): the document has none. */
  ports: z.record(z.string(), z.record(z.string(), z.object({ port: z.number().int(), host: z.string(), protocol: z.string() }))).optional(),
});
export type ApplyOptions = z.infer<typeof ApplyOptionsSchema>;

const ProjectBodySchema = ComposeDocSchema.extend({ 'x-core': ApplyOptionsSchema.optional() });
export type ProjectBody = ComposeDoc & { readonly 'x-core'?: ApplyOptions };

const DEFAULT_TIMEOUT_MS = 120_000;

const fail = (status: number, error: string): Answer => ({ status, body: { error } });

/** Dependencies that name no process, a cycle, secrets no process declares: what zod cannot see. */
export function documentProblems(body: ProjectBody): string[] {
  const problems: string[] = [];
  const names = Object.keys(body.processes);
  for (const [name, proc] of Object.entries(body.processes)) {
    for (const dep of Object.keys(proc.depends_on ?? {})) if (!(dep in body.processes)) problems.push(`processes.${name}.depends_on: no process named ${dep}`);
  }
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (name: string, path: string[]): void => {
    if (state.get(name) === 'done' || !(name in body.processes)) return;
    if (state.get(name) === 'visiting') {
      problems.push(`processes: dependency cycle ${[...path.slice(path.indexOf(name)), name].join(' → ')}`);
      return;
    }
    state.set(name, 'visiting');
    for (const dep of Object.keys(body.processes[name]!.depends_on ?? {})) visit(dep, [...path, name]);
    state.set(name, 'done');
  };
  for (const name of names) visit(name, []);
  for (const [name, keys] of Object.entries(body['x-core']?.secrets ?? {})) {
    const declared = new Set(body.processes[name]?.['x-core']?.secret_env ?? []);
    for (const key of Object.keys(keys)) if (!declared.has(key)) problems.push(`x-core.secrets.${name}.${key}: not a secret_env key of process ${name}`);
  }
  return problems;
}

export async function postProject(engine: Supervisor, raw: unknown, onApplied?: (doc: ComposeDoc, ports?: ApplyOptions['ports']) => void): Promise<Answer> {
  const parsed = ProjectBodySchema.safeParse(raw);
  if (!parsed.success) {
    const issues = parsed.error.issues.slice(0, 10).map((i) => `${i.path.join('.') || '(document)'}: ${i.message}`);
    return fail(400, `not a valid document: ${issues.join('; ')}`);
  }
  const body = parsed.data as ProjectBody;
  const problems = documentProblems(body);
  if (problems.length) return fail(400, `not a valid document: ${problems.slice(0, 10).join('; ')}`);
  const { 'x-core': options = {}, ...doc } = body;
  const result = await engine.apply({
    doc,
    ...(options.secrets ? { secrets: options.secrets } : {}),
    ...(options.start ? { start: options.start } : {}),
    ...(options.only ? { only: options.only } : {}),
    ...(options.restart ? { restart: options.restart } : {}),
    timeoutMs: options.timeout_ms ?? DEFAULT_TIMEOUT_MS,
    dryRun: options.dry_run === true,
    ...(options.no_wait ? { wait: false } : {}),
  });
  const answer = toAnswer(result);
  const changed = 'diff' in result && result.diff.processes.some((p) => p.action !== 'keep' || p.updates.length > 0);
  return changed && options.dry_run !== true && onApplied ? { ...answer, after: () => onApplied(engine.document, options.ports) } : answer;
}

/** process-compose's status words, per process that changed, and "reloaded" (a signal, the same pid). */
function statusMap(result: { readonly diff: StackDiff; readonly reloaded: readonly Reloaded[] }): Record<string, string> {
  const map: Record<string, string> = {};
  const reloaded = new Set(result.reloaded.filter((r) => r.signalled).map((r) => r.name));
  for (const p of result.diff.processes) {
    if (p.action === 'add') map[p.name] = 'added';
    else if (p.action === 'remove') map[p.name] = 'removed';
    else if (reloaded.has(p.name)) map[p.name] = 'reloaded';
    else if (p.action === 'replace' || p.updates.length) map[p.name] = 'updated';
  }
  return map;
}

function toAnswer(result: ApplyResult): Answer {
  if (!result.ok && !('failure' in result)) return fail(result.reason === 'unknown-process' ? 400 : 409, result.message);
  const map = statusMap(result);
  const details = { diff: result.diff, started: result.started, stopped: result.stopped, reloaded: result.reloaded };
  if (result.ok) return { status: 200, body: { ...map, [APPLY_KEY]: { ok: true, ...details, outcomes: result.outcomes } } };
  map[result.failure.name] = 'error';
  return { status: 207, body: { ...map, [APPLY_KEY]: { ok: false, ...details, failure: result.failure } } };
}
