/**
 * `go-install`: `go install module@version` with GOBIN in a work folder of the cache, then
 * the binary is renamed into its cache entry. Takes minutes for PocketBase: reports progress.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { commitToCache, withWorkDir } from '../cache.js';
import { formatElapsed, startHeartbeat } from '../heartbeat.js';
import { describeExit, runCommand, tailLines } from '../run-command.js';
import { fail, type GoInstallSource, type SourceOutcome } from '../types.js';
import { findOnPath } from '../which.js';
import { cacheKey, type SourceContext } from './context.js';

/** What `go install` names the binary: the last path element, skipping a `/vN` major-version suffix. */
export function goBinaryName(module: string): string {
  const parts = module.split('/').filter(Boolean);
  const last = parts.at(-1) ?? module;
  return /^v\d+$/.test(last) && parts.length > 1 ? (parts.at(-2) as string) : last;
}

export async function fromGoInstall(source: GoInstallSource, context: SourceContext): Promise<SourceOutcome> {
  const { binary, settings, timeouts } = context;
  const target = `${source.module}@${source.version}`;
  const go = (await findOnPath('go', settings.env.PATH)) ?? (settings.env.GOROOT ? await findOnPath('go', path.join(settings.env.GOROOT, 'bin')) : undefined);
  if (!go) {
    return fail('no-go', `the Go toolchain is not installed ("go" is not on PATH): building ${target} needs Go (https://go.dev/dl/); or install ${binary.name} another way`);
  }

  return withWorkDir(settings.cacheDir, `${binary.name}-${binary.version}`, async (dir) => {
    const gobin = path.join(dir, 'gobin');
    await fs.mkdir(gobin);
    const args = ['install', '-trimpath', ...(source.ldflags ? [`-ldflags=${source.ldflags}`] : []), target];
    const env: Record<string, string> = { ...settings.env, GOBIN: gobin, CGO_ENABLED: settings.env.CGO_ENABLED ?? '0' };
    // GOBIN is refused when cross-compiling; this binary is for this machine.
    delete env.GOOS;
    delete env.GOARCH;

    const stop = startHeartbeat(context.heartbeatMs, (elapsedMs) =>
      context.report({ type: 'progress', name: binary.name, source: 'go-install', elapsedMs, detail: `go install ${target}: ${formatElapsed(elapsedMs)}` }),
    );
    const result = await runCommand(go, args, { env, cwd: dir, timeoutMs: timeouts.buildMs }).finally(stop);
    if (result.spawnError || result.timedOut || result.exitCode !== 0) {
      const said = tailLines(result.output, 4);
      return fail('build-failed', `go install ${target}: ${describeExit(result, timeouts.buildMs)}${said ? `: ${said}` : ''}`);
    }

    const produced = source.binary ?? goBinaryName(source.module);
    const built = path.join(gobin, produced);
    try {
      await fs.access(built);
    } catch {
      const listing = (await fs.readdir(gobin)).join(', ') || 'nothing';
      return fail('build-failed', `go install ${target} produced no "${produced}" (GOBIN holds: ${listing})`);
    }
    const committed = await commitToCache(cacheKey(context), dir, built, {
      name: binary.name,
      version: binary.version,
      origin: 'go-install',
      module: target,
      ...(source.ldflags ? { ldflags: source.ldflags } : {}),
    });
    return { ok: true, target: committed.file, version: binary.version };
  });
}
