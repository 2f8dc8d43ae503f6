/**
 * One pass of the controller: list every record, judge them, and when the
 * valid set differs from what runs, write the overrides file and apply it;
 * then make each record's `error` say what it should. Every event (and every
 * reconnect) runs a pass, one at a time (serial.ts), so a pass always starts
 * from the whole collection as it is now and a lost event costs nothing.
 *
 * No loop on our own writes: writing `error` is an event too, but its pass
 * finds the same valid set (error is no input) and the same errors, so it
 * writes nothing. A failed apply is remembered per service with its value
 * (records.ts FailedApplies): that value is not retried until the record changes.
 */
import type { ApplyOutcome } from './apply-child.js';
import { changedServices, desiredState, errorUpdates, judgeRecords, valueKey, type Overrides, type ServiceFiles, type TopologyRecord, type ValidateOverride } from './records.js';

/** What a pass tells the event log (engine/events.ts ControllerEvent). */
export interface ControllerReport {
  readonly ok: boolean;
  readonly reason: string;
  readonly message: string;
}

export interface ReconcileDeps {
  readonly list: () => Promise<readonly TopologyRecord[]>;
  readonly setError: (id: string, error: string) => Promise<void>;
  readonly services: ServiceFiles;
  readonly validate: ValidateOverride;
  /** What the overrides file holds when the controller starts (what the stack was planned with). */
  readonly initial: Overrides;
  readonly write: (overrides: Overrides) => void;
  readonly apply: () => Promise<ApplyOutcome>;
  readonly report: (report: ControllerReport) => void;
  /** Another apply was in progress: run a pass again a little later. */
  readonly retryLater: () => void;
}

export type Reconcile = () => Promise<void>;

export function createReconcile(deps: ReconcileDeps): Reconcile {
  let applied: Overrides = deps.initial;
  const failed = new Map<string, { value: string; message: string }>();
  /** Record id → the refusal last reported, so a refusal is logged once, not on every pass. */
  const reported = new Map<string, string>();

  return async () => {
    const records = await deps.list();
    const judged = judgeRecords(records, deps.services, deps.validate);
    for (const record of records) {
      const reason = judged.rejected.get(record.id);
      if (reason !== undefined && reported.get(record.id) !== reason) {
        deps.report({ ok: false, reason: `${record.service || '(no service)'}: record refused, nothing changed`, message: reason });
      }
      if (reason === undefined) reported.delete(record.id);
      else reported.set(record.id, reason);
    }

    let wanted = desiredState(records, judged, applied, failed);
    const changed = changedServices(applied, wanted.overrides);
    if (changed.length > 0) {
      deps.write(wanted.overrides);
      const outcome = await deps.apply();
      const what = changed.map((s) => `${s} ${wanted.overrides[s] ? 'from its record' : 'back to its manifest'}`).join(', ');
      if (outcome.ok) {
        applied = wanted.overrides;
        for (const service of changed) failed.delete(service);
        deps.report({ ok: true, reason: `applied ${what}`, message: outcome.summary });
      } else if (outcome.kind === 'busy') {
        deps.write(applied);
        deps.retryLater();
        return;
      } else {
        // Exit 2: nothing changed, so the file goes back to what runs. Otherwise
        // (not ready) the stack runs the new value: keep it, and say why it failed.
        if (outcome.kind === 'bad-input') deps.write(applied);
        else applied = wanted.overrides;
        for (const service of changed) failed.set(service, { value: valueKey(wanted.overrides[service]), message: outcome.message });
        deps.report({ ok: false, reason: `cannot apply ${what}`, message: outcome.message });
      }
      wanted = desiredState(records, judged, applied, failed);
    }

    for (const { id, error } of errorUpdates(records, wanted.errors)) {
      try {
        await deps.setError(id, error);
      } catch (error) {
        // Deleted meanwhile, or PocketBase went away: the next pass sees it.
        deps.report({ ok: false, reason: "cannot write a record's error field", message: `${id}: ${(error as Error).message}` });
      }
    }
  };
}
