/** Which host of the hosts file this `core` is (reads the hosts file and the running stack's host). */
import { runningSupervisor } from '../control/lock.js';
import { controlPaths } from '../control/paths.js';
import { InputError, IssuesError } from '../support/errors.js';
import type { Settings } from '../support/settings.js';
import { HOSTS_FILE, readHostsFile } from './load.js';
import { recordedHost } from './running-host.js';
import { byHostName } from './schema.js';
import { chooseHost, type LoadedHosts } from './validate.js';

/** The name of the host this `core` runs as, for messages: `--host` sets CORE_HOST_NAME (program.ts). */
const HOST_SOURCE = '--host (CORE_HOST_NAME)';

/** The host a running stack was started as (running-host.ts); undefined when none runs. */
function runningHost(stackDir: string): string | undefined {
  const recorded = recordedHost(stackDir);
  return recorded !== undefined && runningSupervisor(controlPaths(stackDir).lock) ? recorded : undefined;
}

/**
 * The hosts file and the host this `core` runs as: --host (CORE_HOST_NAME), else
 * the running stack's. Without a hosts file: undefined, and the stack runs here
 * as a whole (one implicit local host). `anyHost`: no host named is fine (the
 * whole stack's view); otherwise it is exit 2 naming the hosts.
 */
export function thisHost(settings: Settings, anyHost: boolean): { file: LoadedHosts; here?: string } | undefined {
  const hosts = readHostsFile(settings);
  if (!hosts && settings.hostName !== undefined) {
    throw new InputError('no-hosts-file', `${HOST_SOURCE} "${settings.hostName}": there is no hosts file (${settings.hostsFile ?? HOSTS_FILE}), so no host to run as`, [
      'docs/hosts.md says how to write one',
    ]);
  }
  if (!hosts) return undefined;
  const running = anyHost ? undefined : runningHost(settings.stackDir);
  if (running !== undefined && settings.hostName !== undefined && settings.hostName !== running) {
    throw new InputError(
      'other-host',
      `the running stack runs as host "${running}", not "${settings.hostName}" (${HOST_SOURCE}): stop it first (core down) to run as another host`,
    );
  }
  const chosen = chooseHost(hosts, settings.hostName ?? running, running !== undefined && settings.hostName === undefined ? "the running stack's host" : HOST_SOURCE);
  if (!chosen.ok) throw new IssuesError([chosen.issue]);
  if (chosen.host) return { file: hosts, here: chosen.host };
  if (anyHost) return { file: hosts };
  const names = Object.keys(hosts.hosts).sort(byHostName);
  throw new InputError(
    'no-host',
    `${hosts.file} names ${names.length} host${names.length === 1 ? '' : 's'} (${names.join(', ')}): say which one this is with --host NAME or CORE_HOST_NAME`,
    ['`core plan` shows what runs on each (docs/hosts.md)'],
  );
}
