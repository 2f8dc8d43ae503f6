/**
 * `core metrics`: the running stack's Prometheus metrics (text exposition
 * format 0.0.4), as the supervisor serves them on the control socket and on
 * CORE_METRICS_ADDR (docs/metrics.md). The built-in engine only:
 * process-compose has no such endpoint.
 */
import { findStack } from '../../control/connect.js';
import { getText } from '../../control/get-text.js';
import { InputError, RuntimeError } from '../../support/errors.js';
import { loadSettings } from '../../support/load-settings.js';
import type { CliContext } from '../context.js';

/** A first scrape samples /proc twice and loads prom-client (~50 ms): room to spare. */
const ANSWER_MS = 5000;

export async function metrics(ctx: CliContext): Promise<void> {
  const settings = loadSettings(process.cwd(), ctx.env);
  const stack = findStack(settings.stackDir, { timeoutMs: ANSWER_MS });
  if (!stack.supervisor) throw new RuntimeError('not-running', 'the stack is not running (start it with `core up`)');
  if (stack.state?.engine === 'process-compose') {
    throw new InputError(
      'not-available',
      'metrics are not available with the process-compose engine (it serves none); run the stack on the built-in engine (`core up --engine builtin`) for `core metrics` and CORE_METRICS_ADDR',
    );
  }
  let answer: Awaited<ReturnType<typeof getText>>;
  try {
    answer = await getText(stack.client.socket, '/metrics', ANSWER_MS);
  } catch (error) {
    throw new RuntimeError('supervisor-not-answering', `the supervisor (pid ${stack.supervisor.pid}) does not answer: ${(error as Error).message}`);
  }
  if (answer.status !== 200) {
    let message = answer.body;
    try {
      message = (JSON.parse(answer.body) as { error?: string }).error ?? message;
    } catch {
      // Not JSON: the body says it.
    }
    throw new RuntimeError('metrics-failed', `GET /metrics: HTTP ${answer.status}: ${message.slice(0, 500)}`);
  }
  process.stdout.write(answer.body);
}
