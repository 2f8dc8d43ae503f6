/**
 * `download`: a release archive fetched over HTTP(S), verified against a pinned sha256 or
 * the release's checksum file before anything is extracted, then added to the cache.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { commitToCache, withWorkDir } from '../cache.js';
import { assetName, findChecksum, type DigestAlgorithm } from '../checksum-file.js';
import { formatElapsed, startHeartbeat } from '../heartbeat.js';
import { downloadToFile, fetchText, type DownloadProgress } from '../http-fetch.js';
import { expandTemplate, platformKey, renamePlatform } from '../platform.js';
import { fail, type DownloadSource, type SourceOutcome } from '../types.js';
import { cacheKey, type SourceContext } from './context.js';

interface Expected {
  readonly algorithm: DigestAlgorithm;
  readonly digest: string;
  /** Where the digest came from, for messages. */
  readonly from: string;
}

export async function fromDownload(source: DownloadSource, context: SourceContext): Promise<SourceOutcome> {
  const { binary, settings, timeouts } = context;
  const platform = renamePlatform(context.platform, source);
  const vars = { version: binary.version, ...platform };
  const url = expandTemplate(source.url, vars);

  const expected = await expectedDigest(source, url, vars, context);
  if (!('digest' in expected)) return expected;

  return withWorkDir(settings.cacheDir, `${binary.name}-${binary.version}`, async (dir) => {
    const archive = path.join(dir, 'download');
    let progress: DownloadProgress = { bytes: 0, total: undefined };
    const stop = startHeartbeat(context.heartbeatMs, (elapsedMs) =>
      context.report({ type: 'progress', name: binary.name, source: 'download', elapsedMs, detail: `${formatBytes(progress)} after ${formatElapsed(elapsedMs)}` }),
    );
    const got = await downloadToFile(url, archive, expected.algorithm, timeouts, (p) => (progress = p)).finally(stop);
    if (!got.ok) return fail(got.reason, got.message);
    if (got.value.digest !== expected.digest) {
      return fail('checksum-mismatch', `${assetName(url)}: ${expected.algorithm} ${got.value.digest} does not match ${expected.digest} from ${expected.from}; refused`);
    }

    const file = path.join(dir, binary.name);
    if (source.archive === 'binary') {
      await fs.rename(archive, file);
    } else {
      const member = expandTemplate(source.member ?? binary.name, vars);
      // tar and yauzl load only when an archive is really opened (~60 ms of start-up otherwise).
      const { extractMember } = await import('../archive.js');
      const extracted = await extractMember(archive, source.archive, member, file);
      if (!extracted.ok) return fail(extracted.reason, `${assetName(url)}: ${extracted.message}; refused`);
    }
    const committed = await commitToCache(cacheKey(context), dir, file, {
      name: binary.name,
      version: binary.version,
      origin: 'download',
      url,
      archiveDigest: `${expected.algorithm}:${expected.digest}`,
    });
    return { ok: true, target: committed.file, version: binary.version };
  });
}

async function expectedDigest(
  source: DownloadSource,
  url: string,
  vars: { version: string; os: string; arch: string },
  context: SourceContext,
): Promise<Expected | Extract<SourceOutcome, { ok: false }>> {
  const key = platformKey(vars);
  const pinned = source.sha256?.[key];
  if (pinned) return { algorithm: 'sha256', digest: pinned, from: 'the manifest' };
  if (!source.checksums) {
    const known = Object.keys(source.sha256 ?? {}).join(', ') || 'none';
    return { ok: false, reason: 'unsupported-platform', message: `no pinned sha256 for ${key} (pinned: ${known}) and no checksum file` };
  }
  const sumsUrl = expandTemplate(source.checksums.url, vars);
  const text = await fetchText(sumsUrl, context.timeouts);
  if (!text.ok) return { ok: false, reason: text.reason, message: `checksum file ${text.message}` };
  const asset = assetName(url);
  const digest = findChecksum(text.value, asset, source.checksums.algorithm);
  if (!digest) {
    return { ok: false, reason: 'checksum-missing', message: `${sumsUrl} lists no ${source.checksums.algorithm} for ${asset}` };
  }
  return { algorithm: source.checksums.algorithm, digest, from: sumsUrl };
}

function formatBytes({ bytes, total }: DownloadProgress): string {
  const mb = (n: number) => `${(n / 1_048_576).toFixed(1)} MB`;
  return total ? `${mb(bytes)} of ${mb(total)}` : mb(bytes);
}
