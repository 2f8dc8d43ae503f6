/**
 * process-compose itself, provisioned like any service binary (PATH, cache,
 * release download, go install) into `.dep/process-compose`.
 */
import type { Binary } from '../../manifest/schema.js';

export const PROCESS_COMPOSE_VERSION = '1.122.0';

export const PROCESS_COMPOSE: Binary = {
  name: 'process-compose',
  version: PROCESS_COMPOSE_VERSION,
  sources: [
    // 1.110 is the oldest release checked against the generated file (is_strict, x- keys, entrypoint).
    { type: 'path', version_args: ['version'], range: '>=1.110.0' },
    { type: 'cache' },
    {
      type: 'download',
      url: 'https://github.com/F1bonacc1/process-compose/releases/download/v{version}/process-compose_{os}_{arch}.tar.gz',
      archive: 'tar.gz',
      member: 'process-compose',
      checksums: { url: 'https://github.com/F1bonacc1/process-compose/releases/download/v{version}/process-compose_checksums.txt', algorithm: 'sha256' },
      why: "goreleaser's checksum file covers every platform of the release.",
    },
    {
      type: 'go-install',
      module: 'github.com/f1bonacc1/process-compose',
      version: `v${PROCESS_COMPOSE_VERSION}`,
      // Without a version set at build time it asks GitHub for updates on every run.
      ldflags: `-X github.com/f1bonacc1/process-compose/src/config.Version=v${PROCESS_COMPOSE_VERSION}`,
    },
  ],
};
