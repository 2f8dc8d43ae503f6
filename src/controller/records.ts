/**
 * The controller's pure core: `core_topology` records → the overrides the
 * planner reads (`.core-stack/controller/topology.json`), and what each
 * record's `error` field should say. No PocketBase, file or process here.
 *
 * A record's empty field (`topology: ""`, `deployment: null`) is absent: the
 * manifest's value of that key stays. A record for a service no manifest
 * declares, or whose value the manifest rules refuse, changes nothing: its
 * service keeps what runs (desiredState) and the record's `error` says why.
 */
import { formatIssue, type Issue } from '../support/errors.js';

/** A `core_topology` record as the SDK returns it (only the fields core reads). */
export interface TopologyRecord {
  readonly id: string;
  readonly service: string;
  readonly topology: string;
  /** PocketBase's json field: null when empty. */
  readonly deployment: unknown;
  readonly error: string;
}

/** What a record overrides of its service's `config`. */
export interface Override {
  readonly topology?: unknown;
  readonly deployment?: unknown;
}

/** Per service name; a service without a record is absent (the manifest's values). */
export type Overrides = Readonly<Record<string, Override>>;

/** What the controller knows of each service from the plan it runs. */
export interface ServiceInfo {
  /** The manifest file, for messages. */
  readonly file: string;
  readonly renderer?: string;
  /** Its `config.topology` and `config.deployment`, for what a record leaves out. */
  readonly topology?: unknown;
  readonly deployment?: unknown;
}

export type ServiceFiles = ReadonlyMap<string, ServiceInfo>;

/** Judges a record's value as the planner judges an override (validate-record.ts). */
export type ValidateOverride = (service: ServiceInfo, value: Override) => readonly Issue[];

export interface Judged {
  /** The valid records' overrides: what is to run. */
  readonly overrides: Overrides;
  /** Record id → why its value was refused. */
  readonly rejected: ReadonlyMap<string, string>;
}

/** The override a record carries (its non-empty fields). */
export function overrideOf(record: TopologyRecord): Override {
  const topology = typeof record.topology === 'string' ? record.topology.trim() : record.topology;
  return {
    ...(topology !== '' && topology !== undefined && topology !== null ? { topology } : {}),
    ...(record.deployment !== null && record.deployment !== undefined && record.deployment !== '' ? { deployment: record.deployment } : {}),
  };
}

export function judgeRecords(records: readonly TopologyRecord[], files: ServiceFiles, validate: ValidateOverride): Judged {
  const overrides: Record<string, Override> = {};
  const rejected = new Map<string, string>();
  for (const record of [...records].sort((a, b) => (a.service < b.service ? -1 : 1))) {
    const info = files.get(record.service);
    if (info === undefined) {
      rejected.set(record.id, `no service "${record.service}" (services: ${[...files.keys()].sort().join(', ')})`);
      continue;
    }
    const override = overrideOf(record);
    if (Object.keys(override).length === 0) continue; // nothing to override: the manifest's values
    const issues = validate(info, override);
    if (issues.length > 0) rejected.set(record.id, issues.map(formatIssue).join('; '));
    else overrides[record.service] = override;
  }
  return { overrides, rejected };
}

/** Stable JSON (keys sorted at every level): equal overrides give equal text. */
export function canonical(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((key) => [key, sortKeys((value as Record<string, unknown>)[key])]),
    );
  }
  return value;
}

/** One service's override as comparable text; `-` for none (the manifest's values). */
export function valueKey(override: Override | undefined): string {
  return override === undefined ? '-' : canonical(override);
}

/** Services whose override differs between two sets (added, changed or removed). */
export function changedServices(before: Overrides, after: Overrides): string[] {
  const names = new Set([...Object.keys(before), ...Object.keys(after)]);
  return [...names].filter((name) => valueKey(before[name]) !== valueKey(after[name])).sort();
}

/**
 * Failed applies per service: the value (valueKey) that failed and why,
 * remembered so the same value is not retried until its record changes.
 */
export type FailedApplies = ReadonlyMap<string, { readonly value: string; readonly message: string }>;

/**
 * The overrides to apply: the valid ones, except that a service whose record
 * is refused, or still holds the value of a failed apply, keeps what runs
 * (`applied`), the record saying why. Also the error each record should show.
 */
export function desiredState(
  records: readonly TopologyRecord[],
  judged: Judged,
  applied: Overrides,
  failed: FailedApplies,
): { overrides: Overrides; errors: ReadonlyMap<string, string> } {
  const overrides: Record<string, Override> = { ...judged.overrides };
  // A refused record changes nothing: its service keeps what runs (its last valid value, or none).
  for (const record of records) {
    if (!judged.rejected.has(record.id) || applied[record.service] === undefined) continue;
    overrides[record.service] = applied[record.service]!;
  }
  const errors = new Map<string, string>();
  const held = new Map<string, string>();
  for (const [service, { value, message }] of failed) {
    if (valueKey(judged.overrides[service]) !== value) continue;
    held.set(service, message);
    if (applied[service] === undefined) delete overrides[service];
    else overrides[service] = applied[service]!;
  }
  for (const record of records) errors.set(record.id, judged.rejected.get(record.id) ?? held.get(record.service) ?? '');
  return { overrides, errors };
}

/** The records whose `error` field must change, with the new text (PocketBase keeps at most 5000 characters). */
export function errorUpdates(records: readonly TopologyRecord[], errors: ReadonlyMap<string, string>): { id: string; error: string }[] {
  const updates: { id: string; error: string }[] = [];
  for (const record of records) {
    const wanted = clip(errors.get(record.id) ?? '');
    if ((record.error ?? '') !== wanted) updates.push({ id: record.id, error: wanted });
  }
  return updates;
}

const ERROR_MAX = 5000;

function clip(text: string): string {
  return text.length <= ERROR_MAX ? text : `${text.slice(0, ERROR_MAX - 1)}…`;
}
