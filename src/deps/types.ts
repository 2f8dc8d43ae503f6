/**
 * The vocabulary of provisioning: what a source yields, why it failed, what a caller
 * is told while it runs. Failures are values keyed by a stable `reason`; only
 * `provisionBinaries` turns them into one RuntimeError.
 */
import type { Source } from '../manifest/schema.js';

export type SourceType = Source['type'];
export type PathSource = Extract<Source, { type: 'path' }>;
export type DownloadSource = Extract<Source, { type: 'download' }>;
export type GoInstallSource = Extract<Source, { type: 'go-install' }>;

/** Where a cached binary originally came from. */
export type CacheOrigin = 'download' | 'go-install';

/** A binary ready to run: `.dep/<name>` links to `target`. */
export interface Provisioned {
  readonly name: string;
  /** The version actually provisioned (a PATH binary may differ from the pinned one). */
  readonly version: string;
  readonly source: SourceType;
  /** Only for a cache hit: how the cached binary was made. */
  readonly origin?: CacheOrigin;
  /** Absolute path of the link, `.dep/<name>`: what `${dep.<name>}` resolves to. */
  readonly path: string;
  /** Absolute path of the real file the link points to. */
  readonly target: string;
}

export type FailureReason =
  | 'not-found' // path: no such command on PATH
  | 'no-version' // path: the command did not print a version
  | 'out-of-range' // path: its version is outside the range
  | 'bad-range' // path: the manifest's range is not a semver range
  | 'not-cached'
  | 'cache-corrupt'
  | 'unsupported-platform'
  | 'network' // DNS, refused connection, connection cut
  | 'timeout'
  | 'http-status'
  | 'checksum-missing'
  | 'checksum-mismatch'
  | 'unsafe-archive' // an entry escapes the target (zip-slip, absolute path, symlink out)
  | 'bad-archive' // truncated or not an archive, member not a plain file
  | 'member-missing'
  | 'no-go' // go-install without a Go toolchain
  | 'build-failed'
  | 'io-error'; // the cache or a work folder could not be written

/** Why one source could not supply the binary. */
export interface SourceFailure {
  readonly source: SourceType;
  readonly reason: FailureReason;
  readonly message: string;
}

/** What a source hands back: a real file and its version, or why not. */
export type SourceOutcome =
  | { readonly ok: true; readonly target: string; readonly version: string; readonly origin?: CacheOrigin }
  | { readonly ok: false; readonly reason: FailureReason; readonly message: string };

export const fail = (reason: FailureReason, message: string): SourceOutcome => ({ ok: false, reason, message });

export type ProvisionEvent =
  | { readonly type: 'attempt'; readonly name: string; readonly source: SourceType; readonly detail: string }
  | { readonly type: 'skipped'; readonly name: string; readonly failure: SourceFailure }
  /** A long step is still running (a Go build, a big download): emitted every few seconds. */
  | { readonly type: 'progress'; readonly name: string; readonly source: SourceType; readonly elapsedMs: number; readonly detail: string }
  | { readonly type: 'provisioned'; readonly binary: Provisioned; readonly elapsedMs: number };

export type Reporter = (event: ProvisionEvent) => void;

export interface Timeouts {
  /** Until response headers arrive. DNS failure and refused connections fail at once, well inside this. */
  readonly responseMs: number;
  /** Longest silence while a body streams in. */
  readonly idleMs: number;
  /** For `<command> --version` of a PATH candidate. */
  readonly versionMs: number;
  /** For a whole `go install`. */
  readonly buildMs: number;
}

export const DEFAULT_TIMEOUTS: Timeouts = {
  responseMs: 15_000,
  idleMs: 30_000,
  versionMs: 5_000,
  buildMs: 30 * 60_000,
};
