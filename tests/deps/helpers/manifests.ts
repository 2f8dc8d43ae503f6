/** The real manifests' binaries, with their GitHub URLs pointed at the local fixture server. */
import fs from 'node:fs';
import path from 'node:path';
import { BinarySchema, type Binary } from '../../../src/manifest/schema.js';
import type { SourceType } from '../../../src/deps/types.js';

const ROOT = path.resolve(import.meta.dirname, '../../..');

export function realBinary(service: 'nats' | 'pocketbase' | 'caddy'): Binary {
  const manifest = JSON.parse(fs.readFileSync(path.join(ROOT, 'templates', 'services', service, 'service.json'), 'utf8')) as { binaries: unknown[] };
  return BinarySchema.parse(manifest.binaries[0]);
}

/** Keep only the given source types, and serve `https://github.com/…` from `origin`. */
export function localized(binary: Binary, origin: string, keep: readonly SourceType[]): Binary {
  const swap = (url: string) => url.replace('https://github.com', origin);
  return {
    ...binary,
    sources: binary.sources
      .filter((source) => keep.includes(source.type))
      .map((source) =>
        source.type === 'download'
          ? { ...source, url: swap(source.url), ...(source.checksums ? { checksums: { ...source.checksums, url: swap(source.checksums.url) } } : {}) }
          : source,
      ),
  };
}
