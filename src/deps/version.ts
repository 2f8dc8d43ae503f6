/** Reading a version out of `--version` output and checking it against a range. Pure. */
import semver from 'semver';

/**
 * Debian's caddy prints `2.6.2`, upstream `v2.11.4 h1:…`; nats `nats-server: v2.9.10`;
 * PocketBase `pocketbase version 0.39.11`. The first x.y.z wins.
 */
const VERSION = /v?(\d+\.\d+\.\d+)/;

export function parseVersion(output: string): string | undefined {
  return VERSION.exec(output)?.[1];
}

/** A PATH binary's range: the manifest's, else exactly the pinned version. */
export function effectiveRange(range: string | undefined, pinned: string): string {
  return range ?? `=${pinned}`;
}

export function isValidRange(range: string): boolean {
  return semver.validRange(range) !== null;
}

export function inRange(version: string, range: string): boolean {
  return semver.satisfies(version, range);
}
