/** The one place that reads the hosts file (validate.ts checks its text). */
import path from 'node:path';
import { InputError, IssuesError } from '../support/errors.js';
import { MANIFEST_MAX_BYTES, readInputFile } from '../support/read-input.js';
import type { Settings } from '../support/settings.js';
import { validateHosts, type LoadedHosts } from './validate.js';

export const HOSTS_FILE = 'hosts.json';

/** The hosts file, or undefined without one (one implicit local host, as always). */
export function readHostsFile(settings: Pick<Settings, 'root' | 'hostsFile'>): LoadedHosts | undefined {
  const absolute = settings.hostsFile ?? path.join(settings.root, HOSTS_FILE);
  const relative = path.relative(settings.root, absolute);
  const file = relative && !relative.startsWith('..') && !path.isAbsolute(relative) ? relative : absolute;
  const read = readInputFile(absolute, MANIFEST_MAX_BYTES);
  if (!read.ok && read.missing && settings.hostsFile === undefined) return undefined;
  // Named on purpose and not there: running everything here instead would be a surprise on a real host.
  if (!read.ok && read.missing) throw new InputError('bad-setting', `CORE_HOSTS_FILE: ${absolute} does not exist`);
  if (!read.ok) throw new IssuesError([{ file, path: '', message: read.problem }]);
  const checked = validateHosts(file, read.text);
  if (!checked.ok) throw new IssuesError(checked.issues);
  return checked.hosts;
}
