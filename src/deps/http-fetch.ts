/**
 * HTTP downloads with the two timeouts that matter: no response in time, and a body that
 * stalls. A download streams into a file opened exclusively, hashing as it goes.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import type { DigestAlgorithm } from './checksum-file.js';
import type { FailureReason, Timeouts } from './types.js';

export type FetchOutcome<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly reason: Extract<FailureReason, 'network' | 'timeout' | 'http-status'>; readonly message: string };

export interface DownloadProgress {
  readonly bytes: number;
  readonly total: number | undefined;
}

export interface Downloaded {
  readonly bytes: number;
  /** Lower-case hex digest of the bytes written. */
  readonly digest: string;
}

type HttpTimeouts = Pick<Timeouts, 'responseMs' | 'idleMs'>;

/** GET `url` into a new file `file`, hashed with `algorithm`. The caller removes `file` on failure. */
export async function downloadToFile(
  url: string,
  file: string,
  algorithm: DigestAlgorithm,
  timeouts: HttpTimeouts,
  onProgress?: (progress: DownloadProgress) => void,
): Promise<FetchOutcome<Downloaded>> {
  const hash = createHash(algorithm);
  const handle = await fs.open(file, 'wx', 0o600);
  try {
    const result = await streamBody(url, timeouts, async (chunk, progress) => {
      hash.update(chunk);
      await handle.write(chunk);
      onProgress?.(progress);
    });
    if (!result.ok) return result;
    return { ok: true, value: { bytes: result.value, digest: hash.digest('hex') } };
  } finally {
    await handle.close();
  }
}

/** GET a small text file (a checksum file). */
export async function fetchText(url: string, timeouts: HttpTimeouts, maxBytes = 4 * 1024 * 1024): Promise<FetchOutcome<string>> {
  const chunks: Uint8Array[] = [];
  const result = await streamBody(url, timeouts, async (chunk, { bytes }) => {
    if (bytes > maxBytes) throw new Error(`larger than ${maxBytes} bytes`);
    chunks.push(chunk);
  });
  if (!result.ok) return result;
  return { ok: true, value: Buffer.concat(chunks).toString('utf8') };
}

async function streamBody(url: string, timeouts: HttpTimeouts, onChunk: (chunk: Uint8Array, progress: DownloadProgress) => Promise<void>): Promise<FetchOutcome<number>> {
  const protocol = safeProtocol(url);
  if (protocol !== 'http:' && protocol !== 'https:') {
    return { ok: false, reason: 'network', message: `${url}: only http and https URLs are fetched` };
  }
  const controller = new AbortController();
  let timeout: string | undefined;
  let timer: NodeJS.Timeout | undefined;
  const arm = (ms: number, message: string) => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      timeout = message;
      controller.abort();
    }, ms);
  };
  try {
    arm(timeouts.responseMs, `no response within ${timeouts.responseMs} ms`);
    const response = await fetch(url, { signal: controller.signal, redirect: 'follow' });
    if (!response.ok || !response.body) {
      await response.body?.cancel().catch(() => undefined);
      return { ok: false, reason: 'http-status', message: `${url}: HTTP ${response.status} ${response.statusText}`.trimEnd() };
    }
    const header = response.headers.get('content-length');
    const total = header !== null && /^\d+$/.test(header) ? Number(header) : undefined;
    let bytes = 0;
    arm(timeouts.idleMs, `stalled: no data for ${timeouts.idleMs} ms`);
    for await (const chunk of response.body) {
      arm(timeouts.idleMs, `stalled: no data for ${timeouts.idleMs} ms (after ${bytes} bytes)`);
      bytes += chunk.byteLength;
      await onChunk(chunk, { bytes, total });
    }
    if (total !== undefined && bytes !== total) {
      return { ok: false, reason: 'network', message: `${url}: connection closed after ${bytes} of ${total} bytes` };
    }
    return { ok: true, value: bytes };
  } catch (error) {
    if (timeout) return { ok: false, reason: 'timeout', message: `${url}: ${timeout}` };
    return { ok: false, reason: 'network', message: `${url}: ${describeFetchError(error)}` };
  } finally {
    clearTimeout(timer);
  }
}

/** undici hides the useful part in `cause`: "fetch failed (getaddrinfo ENOTFOUND github.com)". */
export function describeFetchError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = (error as { cause?: unknown }).cause;
  if (cause instanceof Error) {
    const code = (cause as NodeJS.ErrnoException).code;
    const detail = cause.message || code || String(cause);
    return `${error.message} (${detail})`;
  }
  return error.message;
}

function safeProtocol(url: string): string | undefined {
  try {
    return new URL(url).protocol;
  } catch {
    return undefined;
  }
}
