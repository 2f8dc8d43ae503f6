/**
 * `core status --all-hosts [--json]`: every host's processes in one table,
 * asked over NATS from this host's own node (docs/hosts.md#one-view-of-all-hosts).
 * One request on `core.hosts.status`, which every host's supervisor answers
 * with its snapshot (src/hosts/view/); the answers are gathered until every
 * host that can answer has, for GATHER_MS at most. A host that did not answer
 * is `unreachable` (with the time of a heartbeat seen meanwhile), never shown
 * with states it may no longer have. Exit 1 when a host is unreachable, as
 * `core status` exits 1 when it finds a stack's processes with no supervisor.
 *
 * JSON: { version, host, complete, waited_ms, hosts: [{ host, region,
 * address, reachable, seq, time, processes: [{ name, service, status, health,
 * ready, restarts, pid, uptime_seconds, exit_code, last_probe_error, reason }]
 * } | { host, region, address, reachable: false, last_seen, why }] }.
 */
import { randomUUID } from 'node:crypto';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { Gathering, type ExpectedHost, type HostReport } from '../../hosts/view/gather.js';
import { localNats, type LocalNats } from '../../hosts/view/local-nats.js';
import { ALL_STATUS_SUBJECTS, parseSnapshot, REQUEST_SUBJECT } from '../../hosts/view/snapshot.js';
import { InputError } from '../../support/errors.js';
import type { CliContext } from '../context.js';
import { loadStack } from '../load-stack.js';
import { print, printJson } from '../output.js';
import { renderTable } from '../render/table.js';
import { formatUptime } from './status.js';

/** The longest the answers are waited for: a supervisor answers within milliseconds, a heartbeat comes every second. */
export const GATHER_MS = 2000;
/** Opening the connection to this host's node. */
const CONNECT_MS = 2000;
const CELL_CAP = 60;

export async function statusAllHosts(ctx: CliContext, options: { json?: boolean }): Promise<void> {
  const { settings, plan, placement } = await loadStack(ctx, { cache: 'read' });
  if (!placement || plan.host === undefined) {
    throw new InputError(
      'no-hosts-file',
      `--all-hosts: there is no hosts file (${settings.hostsFile ?? 'hosts.json'}): the stack runs on this machine alone, \`core status\` shows it`,
      ['docs/hosts.md says how to write one'],
    );
  }
  const nats = localNats(plan);
  if (!nats) {
    throw new InputError(
      'no-nats-here',
      `--all-hosts: host ${plan.host} runs no NATS node, so it has none to ask the other hosts through; run it on a host that runs one (\`core plan\` shows which)`,
    );
  }
  const natsNodes = new Set((plan.all ?? plan.services).filter((s) => s.renderer === 'nats').map((s) => s.name));
  const expected: ExpectedHost[] = placement.hosts.map((h) => ({ host: h.name, region: h.region, address: h.address, nats: h.processes.some((p) => natsNodes.has(p)) }));
  const nc = await open(nats);
  const started = Date.now();
  let reports: HostReport[];
  try {
    reports = await gather(nc, expected);
  } finally {
    await nc.close().catch(() => {});
  }
  const waited = Date.now() - started;
  const complete = reports.every((r) => r.reachable);
  if (options.json) printJson({ host: plan.host, complete, waited_ms: waited, hosts: reports });
  else for (const line of allHostsLines(reports, process.stdout.isTTY ? process.stdout.columns : undefined)) print(line);
  if (!complete) process.exitCode = 1;
}

/** This host's node; not reachable is exit 2 naming where it was looked for. */
async function open(nats: LocalNats): Promise<NatsConnection> {
  try {
    return await connect({
      servers: [...nats.servers],
      ...(nats.user !== undefined ? { user: nats.user, pass: nats.pass } : {}),
      name: 'core status --all-hosts',
      timeout: CONNECT_MS,
      reconnect: false,
      ignoreClusterUpdates: true,
    });
  } catch (error) {
    throw new InputError('nats-unreachable', `--all-hosts: cannot reach this host's NATS at ${nats.servers.join(', ')}: ${(error as Error).message}`, [
      'is the stack up on this host? `core status` shows its processes',
    ]);
  }
}

/** One request, every answer until each host that can answer has (or GATHER_MS), and the heartbeats meanwhile. */
async function gather(nc: NatsConnection, expected: readonly ExpectedHost[]): Promise<HostReport[]> {
  const gathering = new Gathering(expected);
  const started = Date.now();
  let finish!: () => void;
  const done = new Promise<void>((resolve) => (finish = resolve));
  const timer = setTimeout(finish, GATHER_MS);
  const inbox = `_INBOX.${randomUUID().replaceAll('-', '')}`;
  const answers = nc.subscribe(inbox, {
    callback: (error, msg) => {
      const snapshot = error ? undefined : parseSnapshot(msg.string());
      if (snapshot) gathering.answer(snapshot);
      if (gathering.complete) finish();
    },
  });
  const heartbeats = nc.subscribe(ALL_STATUS_SUBJECTS, {
    callback: (error, msg) => {
      const snapshot = error ? undefined : parseSnapshot(msg.string());
      if (snapshot) gathering.heartbeat(snapshot);
    },
  });
  // The server knows where answers go before anyone is asked.
  await nc.flush();
  nc.publish(REQUEST_SUBJECT, '', { reply: inbox });
  await done;
  clearTimeout(timer);
  answers.unsubscribe();
  heartbeats.unsubscribe();
  return gathering.reports(Date.now() - started);
}

/** Pure: every host's processes as one table; a host that did not answer is one `unreachable` row. */
export function allHostsLines(reports: readonly HostReport[], width?: number): string[] {
  const rows: string[][] = [['HOST', 'REGION', 'NAME', 'STATUS', 'HEALTH', 'PID', 'RESTARTS', 'UPTIME', 'LAST PROBE ERROR']];
  const warnings: string[] = [];
  for (const r of reports) {
    if (!r.reachable) {
      // The time of day is enough here (the heartbeat was seen within the last GATHER_MS); --json has the date.
      const seen = r.last_seen === null ? r.why : `${r.why}; last heartbeat ${r.last_seen.slice(11, 19)}Z`;
      rows.push([r.host, r.region, '-', `unreachable (${seen})`, '-', '-', '-', '-', '']);
      continue;
    }
    if (r.unknown) warnings.push(`warning: host ${r.host} (${r.address}) answered, but this host's hosts file does not name it`);
    if (r.processes.length === 0) rows.push([r.host, r.region, '-', 'no processes', '-', '-', '-', '-', '']);
    for (const p of r.processes) {
      const status = p.reason && !['Running', 'Launching', 'Launched'].includes(p.status) ? `${p.status} (${p.reason})` : p.status;
      rows.push([
        r.host,
        r.region,
        p.name,
        status,
        p.health,
        p.pid === null ? '-' : String(p.pid),
        String(p.restarts),
        p.uptime_seconds === null ? '-' : formatUptime(p.uptime_seconds),
        p.last_probe_error ?? '',
      ]);
    }
  }
  return [...renderTable(rows, { shrinkable: [3, 8], cap: CELL_CAP, ...(width ? { width } : {}) }), ...warnings];
}
