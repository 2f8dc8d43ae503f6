/**
 * Provisioning: for each binary, try its sources in the manifest's order; link the first
 * that works into `.dep/<name>`. If none works, one RuntimeError lists every source tried
 * and why it failed.
 */
import fs from 'node:fs/promises';
import type { Binary, Source } from '../manifest/schema.js';
import { InputError, RuntimeError, unreachable } from '../support/errors.js';
import type { Settings } from '../support/settings.js';
import { fingerprintOf, linkDep } from './dep-link.js';
import { reuseLinked } from './reuse.js';
import { expandTemplate, goPlatform, renamePlatform, type Platform } from './platform.js';
import { fromCache } from './sources/cache.js';
import type { SourceContext } from './sources/context.js';
import { fromDownload } from './sources/download.js';
import { fromGoInstall } from './sources/go-install.js';
import { fromPath } from './sources/path.js';
import { DEFAULT_TIMEOUTS, type Provisioned, type Reporter, type SourceFailure, type SourceOutcome, type Timeouts } from './types.js';

export interface ProvisionOptions {
  readonly reporter?: Reporter;
  readonly timeouts?: Partial<Timeouts>;
  /** Go's names for this machine (default: from process.platform/arch). */
  readonly platform?: Platform;
  /** How often a long step reports progress (default 5 s). */
  readonly heartbeatMs?: number;
  /** Reuse what `.dep/` already links when it still fits (reuse.ts): `core up`'s fast path. */
  readonly reuseLinked?: boolean;
}

/** Every source of one binary failed. */
export class ProvisionError extends RuntimeError {
  constructor(readonly failures: ReadonlyArray<{ readonly binary: Binary; readonly attempts: readonly SourceFailure[] }>) {
    super(
      'provision-failed',
      `could not provision ${failures.map(({ binary }) => `${binary.name} ${binary.version}`).join(', ')}: every source failed`,
      failures.flatMap(({ binary, attempts }) => attempts.map((a) => `${binary.name}: ${a.source}: ${a.message}`)),
    );
  }
}

/**
 * Provision each binary (in order; a name listed twice is done once). Throws ProvisionError
 * after trying them all if any could not be provisioned.
 */
export async function provisionBinaries(binaries: readonly Binary[], settings: Settings, options: ProvisionOptions = {}): Promise<Provisioned[]> {
  const done: Provisioned[] = [];
  const failures: Array<{ binary: Binary; attempts: SourceFailure[] }> = [];
  for (const binary of uniqueByName(binaries)) {
    const reused = options.reuseLinked ? await reuseLinked(binary, settings) : undefined;
    if (reused) {
      done.push(reused);
      continue;
    }
    const result = await provisionBinary(binary, settings, options);
    if (result.ok) done.push(result.provisioned);
    else failures.push({ binary, attempts: result.attempts });
  }
  if (failures.length > 0) throw new ProvisionError(failures);
  return done;
}

export type ProvisionResult = { readonly ok: true; readonly provisioned: Provisioned } | { readonly ok: false; readonly attempts: SourceFailure[] };

export async function provisionBinary(binary: Binary, settings: Settings, options: ProvisionOptions = {}): Promise<ProvisionResult> {
  const report: Reporter = (event) => {
    try {
      options.reporter?.(event);
    } catch {
      // A broken progress display must not break provisioning.
    }
  };
  const context: SourceContext = {
    binary,
    settings,
    platform: options.platform ?? goPlatform(),
    timeouts: { ...DEFAULT_TIMEOUTS, ...options.timeouts },
    heartbeatMs: options.heartbeatMs ?? 5000,
    report,
  };
  const started = Date.now();
  const attempts: SourceFailure[] = [];
  for (const source of binary.sources) {
    report({ type: 'attempt', name: binary.name, source: source.type, detail: describeSource(source, context) });
    const outcome = await trySource(source, context).catch((error: unknown): SourceOutcome => ({ ok: false, reason: 'io-error', message: (error as Error).message }));
    if (!outcome.ok) {
      const failure: SourceFailure = { source: source.type, reason: outcome.reason, message: outcome.message };
      attempts.push(failure);
      report({ type: 'skipped', name: binary.name, failure });
      continue;
    }
    const path = await linkDep(settings.depDir, {
      name: binary.name,
      version: outcome.version,
      source: source.type,
      ...(outcome.origin ? { origin: outcome.origin } : {}),
      target: outcome.target,
      provisionedAt: new Date().toISOString(),
      fingerprint: await fingerprintOf(outcome.target),
    }).catch((error: unknown) => {
      throw new RuntimeError('dep-link-failed', `cannot link ${binary.name} into ${settings.depDir}: ${(error as Error).message}`);
    });
    const provisioned: Provisioned = {
      name: binary.name,
      version: outcome.version,
      source: source.type,
      ...(outcome.origin ? { origin: outcome.origin } : {}),
      path,
      target: await fs.realpath(outcome.target),
    };
    report({ type: 'provisioned', binary: provisioned, elapsedMs: Date.now() - started });
    return { ok: true, provisioned };
  }
  return { ok: false, attempts };
}

function trySource(source: Source, context: SourceContext): Promise<SourceOutcome> {
  switch (source.type) {
    case 'path':
      return fromPath(source, context);
    case 'cache':
      return fromCache(context);
    case 'download':
      return fromDownload(source, context);
    case 'go-install':
      return fromGoInstall(source, context);
    default:
      return unreachable(source);
  }
}

/** One line on what a source is about to do, for the progress display. */
function describeSource(source: Source, context: SourceContext): string {
  const { binary } = context;
  switch (source.type) {
    case 'path':
      return `${source.command ?? binary.name} on PATH, ${source.range ?? `=${binary.version}`}`;
    case 'cache':
      return `${binary.name} ${binary.version} in ${context.settings.cacheDir}`;
    case 'download': {
      const platform = renamePlatform(context.platform, source);
      return expandTemplate(source.url, { version: binary.version, ...platform });
    }
    case 'go-install':
      return `go install ${source.module}@${source.version}`;
    default:
      return unreachable(source);
  }
}

/** A binary two services both need is provisioned once; pinned twice differently is bad input. */
function uniqueByName(binaries: readonly Binary[]): Binary[] {
  const seen = new Map<string, Binary>();
  for (const binary of binaries) {
    const first = seen.get(binary.name);
    if (!first) seen.set(binary.name, binary);
    else if (first.version !== binary.version) {
      throw new InputError('binary-conflict', `${binary.name} is pinned to two versions: ${first.version} and ${binary.version}`);
    }
  }
  return [...seen.values()];
}
