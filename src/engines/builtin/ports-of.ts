/**
 * The state file's `ports`: one entry per process of the document (`core logs`
 * and `core status` list the stack's processes from it), with the ports core
 * planned for it. A core project plans every process; a process-compose file
 * (`core up -f`) plans none, and its processes are listed with no ports.
 */
import type { ComposeDoc } from '../../compose/schema.js';
import type { StateFile } from '../../control/state-file.js';
import type { StackPlan } from '../../plan/types.js';

export function portsOf(plan: StackPlan, doc: ComposeDoc): StateFile['ports'] {
  const planned = new Map(plan.services.map((s) => [s.name, s.ports]));
  return Object.fromEntries(Object.keys(doc.processes).map((name) => [name, planned.get(name) ?? {}]));
}
