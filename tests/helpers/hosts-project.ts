/**
 * One project for several hosts (issue 15), as a user would copy it to each
 * machine: NATS alone, hub-spoke with three hubs in `iad` and a leaf in `lhr`,
 * a hosts.json naming the hosts given, and one copy of the whole folder a host
 * (its own `.data/`, `.core-stack/`, `.env`). The multi-host tests on loopback
 * addresses and on network namespaces build theirs here; `edit` adds to the
 * NATS manifest (credentials, another deployment) before the copies are made.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { makeProject } from './cli.js';

export interface HostEntry {
  readonly address: string;
  readonly region: string;
}

export interface HostsProject {
  /** The folder holding one project copy a host. */
  readonly parent: string;
  /** The host's copy of the project. */
  dir(host: string): string;
  /** Writes hosts.json naming `hosts` into every copy (a host added later, as a user would copy the file). */
  listHosts(hosts: Readonly<Record<string, HostEntry>>): void;
  /** Removes every copy. */
  remove(): void;
}

/** The NATS manifest's deployment `local`: three hubs in iad, one leaf in lhr. */
export function hubSpoke(manifest: any): any {
  manifest.config.topology = 'hub-spoke';
  manifest.config.deployment = { local: { hub_nodes: 3, hub_region: 'iad', leaf_regions: ['lhr'] } };
  return manifest;
}

export interface HostsProjectOptions {
  /** Changes to the NATS manifest (after hub-spoke is set: another topology or deployment). */
  readonly edit?: (manifest: any) => unknown;
  /** The hosts hosts.json names at first (default: all); every host gets a copy, so one can be added later (`listHosts`). */
  readonly listed?: readonly string[];
  /** More top-level keys of hosts.json (`tls`). */
  readonly hostsJson?: Readonly<Record<string, unknown>>;
  /** Called with the project folder before it is copied (certificates to share). */
  readonly prepare?: (dir: string) => void;
  /** A host's `.env`, if it has one (its passwords). */
  readonly dotenv?: (host: string) => string | undefined;
}

export function hostsProject(hosts: Readonly<Record<string, HostEntry>>, options: HostsProjectOptions = {}): HostsProject {
  const parent = fs.mkdtempSync(path.join(os.tmpdir(), 'core-hosts-'));
  const project = makeProject({
    nats: (m) => {
      hubSpoke(m);
      return options.edit?.(m) ?? m;
    },
  });
  // NATS alone: PocketBase and Caddy have placement tests of their own.
  for (const other of ['pocketbase', 'caddy']) fs.rmSync(path.join(project, 'services', other), { recursive: true });
  const listed = options.listed ?? Object.keys(hosts);
  const hostsJson = (named: Readonly<Record<string, HostEntry>>) => JSON.stringify({ hosts: named, ...options.hostsJson }, null, 2);
  fs.writeFileSync(path.join(project, 'hosts.json'), hostsJson(Object.fromEntries(listed.map((h) => [h, hosts[h]!]))));
  options.prepare?.(project);
  const dir = (host: string) => path.join(parent, host);
  for (const host of Object.keys(hosts)) {
    fs.cpSync(project, dir(host), { recursive: true });
    const dotenv = options.dotenv?.(host);
    if (dotenv !== undefined) fs.writeFileSync(path.join(dir(host), '.env'), dotenv);
  }
  fs.rmSync(project, { recursive: true });
  const listHosts = (named: Readonly<Record<string, HostEntry>>) => {
    for (const host of Object.keys(hosts)) fs.writeFileSync(path.join(dir(host), 'hosts.json'), hostsJson(named));
  };
  return { parent, dir, listHosts, remove: () => fs.rmSync(parent, { recursive: true, force: true }) };
}
