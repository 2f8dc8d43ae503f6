/**
 * `core stop <svc…>`: stop these services of the running stack (not their
 * dependents, as process-compose does) and return once they are down; name the
 * running services that depend on them, which keep running without them.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { ControlError } from '../../control/client.js';
import { connectEngine } from '../../engines/index.js';
import { InputError, RuntimeError } from '../../support/errors.js';
import type { CliContext } from '../context.js';
import { parseTimeout } from '../flags.js';
import { loadStack } from '../load-stack.js';
import { loadSettings } from '../../support/load-settings.js';
import { isPcProject } from '../../support/pc-stack.js';
import { note, print, printJson } from '../output.js';
import { runningStack } from './apply.js';
import { expandNames, namedProcesses } from '../../plan/process-names.js';

const POLL_MS = 25;

/** Who depends on whom, from the manifests; none when they cannot be read (stopping must not need them). */
async function dependentsIn(ctx: CliContext): Promise<Map<string, string[]>> {
  const map = new Map<string, string[]>();
  try {
    const settings = loadSettings(process.cwd(), ctx.env);
    if (isPcProject(settings.root)) {
      // A process-compose project: its files, as `core up -f` recorded them.
      const { generated } = await (await import('../pc-up/desired.js')).desiredPc(ctx, settings, [], false);
      for (const [name, proc] of Object.entries(generated.doc.processes)) for (const dep of Object.keys(proc.depends_on ?? {})) map.set(dep, [...(map.get(dep) ?? []), name]);
      return map;
    }
    const { plan } = await loadStack(ctx, { cache: true, anyHost: true });
    for (const s of plan.services) for (const dep of Object.keys(s.dependsOn)) map.set(dep, [...(map.get(dep) ?? []), s.name]);
  } catch {
    note('(the manifests or files cannot be read: dependents not shown)');
  }
  return map;
}

export async function stop(ctx: CliContext, asked: readonly string[], options: { json?: boolean; timeout: string }): Promise<void> {
  const timeoutMs = parseTimeout(options.timeout);
  const stack = runningStack(ctx);
  const engine = connectEngine(stack);
  const known = new Set((await engine.snapshot()).map((p) => p.name));
  // `core stop nats` stops every node of a NATS cluster.
  const { names, unknown } = expandNames(asked, namedProcesses([...known], stack.state?.services));
  if (unknown.length)
    throw new InputError('unknown-service', `no process named ${unknown.map((n) => `"${n}"`).join(', ')} in the running stack`, [`running stack: ${[...known].join(', ')}`]);
  for (const name of names) {
    try {
      await engine.stop([name]);
    } catch (error) {
      throw new RuntimeError('stop-failed', `stop ${name}: ${error instanceof ControlError ? error.message : String(error)}`);
    }
  }
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const states = await engine.snapshot();
    if (names.every((n) => !states.find((p) => p.name === n)?.is_running)) {
      const dependents = await dependentsIn(ctx);
      const running = new Set(states.filter((p) => p.is_running).map((p) => p.name));
      const still = Object.fromEntries(names.map((n) => [n, (dependents.get(n) ?? []).filter((d) => running.has(d))]));
      if (options.json) return printJson({ ok: true, stopped: names, running_dependents: still });
      for (const name of names) print(`${name} stopped${still[name]!.length ? `; still running and depending on it: ${still[name]!.join(', ')}` : ''}`);
      return;
    }
    if (Date.now() > deadline) throw new RuntimeError('stop-timeout', `${names.join(', ')} did not stop within ${timeoutMs / 1000} s`);
    await sleep(POLL_MS);
  }
}
