/**
 * The hosts file's text → its hosts, or every problem with file and JSON path
 * (pure). Checked past the schema: no two hosts share an address (each
 * host's listeners bind to it, and the others route to it).
 */
import type { z } from 'zod';
import { jsonPath, type Issue } from '../support/errors.js';
import { checkJsonLimits } from '../manifest/json-limits.js';
import { explainIssue } from '../manifest/suggestions.js';
import { describeJsonError } from '../manifest/validate.js';
import { byHostName, HostsFileSchema, type Host, type Tls } from './schema.js';

export interface LoadedHosts {
  /** The file as messages name it (relative to the project root when inside it). */
  readonly file: string;
  readonly hosts: Readonly<Record<string, Host>>;
  /** The user's certificates for NATS links, paths as written (`{host}` not yet replaced). */
  readonly tls?: Tls;
}

export function validateHosts(file: string, text: string): { ok: true; hosts: LoadedHosts } | { ok: false; issues: Issue[] } {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { ok: false, issues: [{ file, path: '', message: `not valid JSON: ${describeJsonError(text)}` }] };
  }
  const limits = checkJsonLimits(file, json);
  if (limits.length > 0) return { ok: false, issues: limits };
  const parsed = HostsFileSchema.safeParse(json);
  if (!parsed.success) return { ok: false, issues: parsed.error.issues.flatMap((issue) => zodIssue(file, json, issue)) };
  const issues: Issue[] = [];
  const owners = new Map<string, string>();
  for (const [name, host] of Object.entries(parsed.data.hosts)) {
    const key = host.address.toLowerCase();
    const owner = owners.get(key);
    if (owner !== undefined)
      issues.push({ file, path: jsonPath(['hosts', name, 'address']), message: `"${host.address}" is host "${owner}"'s address too: every host needs its own` });
    else owners.set(key, name);
  }
  return issues.length ? { ok: false, issues } : { ok: true, hosts: { file, hosts: parsed.data.hosts, ...(parsed.data.tls ? { tls: parsed.data.tls } : {}) } };
}

function zodIssue(file: string, json: unknown, issue: z.core.$ZodIssue): Issue[] {
  if (issue.code === 'unrecognized_keys' || issue.code === 'invalid_type' || issue.code === 'invalid_value') {
    return explainIssue(HostsFileSchema, json, issue).map((explained) => ({ file, ...explained }));
  }
  const message = issue.code === 'invalid_key' ? `key "${String(issue.path.at(-1))}": ${issue.issues.map((i) => i.message).join('; ')}` : issue.message;
  return [{ file, path: jsonPath(issue.path), message }];
}

/**
 * The host this `core` runs as: `--host` or CORE_HOST_NAME. Undefined when
 * none was named; a name that is no host of the file is an issue.
 */
export function chooseHost(hosts: LoadedHosts, name: string | undefined, source: string): { ok: true; host: string | undefined } | { ok: false; issue: Issue } {
  if (name === undefined) return { ok: true, host: undefined };
  if (name in hosts.hosts) return { ok: true, host: name };
  const names = Object.keys(hosts.hosts).sort(byHostName);
  return { ok: false, issue: { file: hosts.file, path: 'hosts', message: `${source} "${name}" names no host here (hosts: ${names.join(', ')})` } };
}
