/**
 * Applies the overrides file the way a user would: `core apply --json` in the
 * project root, run as `[node, entry]` (the plan's `self`), no shell, with the
 * supervisor's own environment. So the controller plans exactly as `core up`
 * and `core apply` do (the same loading, validation, credentials and planner)
 * and applies through the same `POST /project`. Its JSON answer, or its JSON
 * error (reportError's `{ ok: false, error }`), becomes an outcome value.
 */
import { spawn } from 'node:child_process';

export type ApplyOutcome =
  | { readonly ok: true; readonly summary: string }
  /** `badInput`: exit 2, nothing was changed; `busy`: another apply runs, try again. */
  | { readonly ok: false; readonly kind: 'bad-input' | 'busy' | 'failed'; readonly message: string };

export interface ApplyChildOptions {
  readonly self: readonly string[];
  readonly root: string;
  readonly env: NodeJS.ProcessEnv;
  readonly timeoutSeconds: number;
  /** Aborted: the child is sent SIGTERM (the supervisor is stopping). */
  readonly signal?: AbortSignal;
}

/** Output kept from the child, at most (its JSON answer is a few KiB). */
const MAX_OUTPUT = 1024 * 1024;

export function runApply({ self, root, env, timeoutSeconds, signal }: ApplyChildOptions): Promise<ApplyOutcome> {
  const [node, ...entry] = self as [string, ...string[]];
  return new Promise((resolve) => {
    const child = spawn(node, [...entry, 'apply', '--json', '--timeout', String(timeoutSeconds)], {
      cwd: root,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
      ...(signal ? { signal, killSignal: 'SIGTERM' as const } : {}),
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout = (stdout + chunk.toString()).slice(-MAX_OUTPUT)));
    child.stderr.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-MAX_OUTPUT)));
    child.on('error', (error) => resolve({ ok: false, kind: 'failed', message: `cannot run core apply: ${error.message}` }));
    child.on('close', (code, killed) => resolve(outcomeOf(code, killed, stdout, stderr)));
  });
}

/** Pure: the child's exit and output → an outcome. */
export function outcomeOf(code: number | null, signal: NodeJS.Signals | null, stdout: string, stderr: string): ApplyOutcome {
  const answer = parseJson(stdout);
  if (code === 0) return { ok: true, summary: summaryOf(answer) };
  const error = answer?.error as { reason?: unknown; message?: unknown; details?: unknown } | undefined;
  const message =
    typeof error?.message === 'string'
      ? [error.message, ...(Array.isArray(error.details) ? error.details.filter((d): d is string => typeof d === 'string') : [])].join('; ')
      : lastLines(stderr) || (signal ? `core apply ended by ${signal}` : `core apply exited with code ${code}`);
  // The engine refuses a second apply while one runs (engines/builtin/stack.ts: 409 → apply-refused).
  if (error?.reason === 'apply-refused' && /in progress/.test(message)) return { ok: false, kind: 'busy', message };
  return { ok: false, kind: code === 2 ? 'bad-input' : 'failed', message };
}

function parseJson(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return value && typeof value === 'object' ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** `added nats-leaf-lhr; removed nats-leaf-nrt` from apply's JSON (cli/render/apply-report.ts applyJson). */
function summaryOf(answer: Record<string, unknown> | undefined): string {
  const processes = Array.isArray(answer?.processes) ? (answer.processes as { name?: unknown; action?: unknown }[]) : [];
  const done: Record<string, string> = { add: 'added', remove: 'removed', replace: 'replaced' };
  const parts = processes.flatMap((p) => (typeof p.action === 'string' && done[p.action] ? [`${done[p.action]} ${String(p.name)}`] : []));
  return parts.length ? parts.join('; ') : 'no process changed';
}

function lastLines(text: string): string {
  return text
    .trim()
    .split('\n')
    .slice(-5)
    .map((line) => line.replace(/^core: /, '').trim())
    .join('; ');
}
