/**
 * Release checksum files (nats `SHA256SUMS`, goreleaser `checksums.txt`, caddy's sha512
 * `caddy_<v>_checksums.txt`): one `<hex>  <file>` per line, GNU style, `*` marking binary
 * mode. BSD style `SHA256 (file) = <hex>` is read too. Pure.
 */

export type DigestAlgorithm = 'sha256' | 'sha512';

const HEX_LENGTH: Record<DigestAlgorithm, number> = { sha256: 64, sha512: 128 };

/** The digest listed for `fileName`, lower-case, or undefined if the file has none. */
export function findChecksum(text: string, fileName: string, algorithm: DigestAlgorithm): string | undefined {
  const length = HEX_LENGTH[algorithm];
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    const gnu = /^([0-9A-Fa-f]+)\s+\*?(.+)$/.exec(line);
    const bsd = /^[A-Z0-9-]+\s*\((.+)\)\s*=\s*([0-9A-Fa-f]+)$/.exec(line);
    const [hex, name] = gnu ? [gnu[1], gnu[2]] : bsd ? [bsd[2], bsd[1]] : [];
    if (!hex || !name || hex.length !== length) continue;
    if (baseName(name.trim()) === fileName) return hex.toLowerCase();
  }
  return undefined;
}

/** The asset name a checksum file lists: the last segment of the download URL. */
export function assetName(url: string): string {
  return decodeURIComponent(baseName(new URL(url).pathname));
}

function baseName(name: string): string {
  return name.slice(name.lastIndexOf('/') + 1);
}
