/**
 * The download source against a local HTTP server serving archives in the upstream
 * layouts: the happy paths for all three real manifests, then every refusal, each
 * asserting its message and that nothing is left in the cache or .dep/.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { provisionBinaries, ProvisionError } from '../../src/deps/provision.js';
import type { ProvisionEvent } from '../../src/deps/types.js';
import type { Binary } from '../../src/manifest/schema.js';
import { checksumFile, digest, patchZipName, tarGz, versionScript, zip } from './helpers/archives.js';
import { startFixtureServer, type FixtureServer } from './helpers/fixture-server.js';
import { localized, realBinary } from './helpers/manifests.js';
import { filesUnder, tempProject, type TempProject } from './helpers/project.js';

const linux = { os: 'linux', arch: 'amd64' };
let server: FixtureServer;
let project: TempProject;

beforeEach(async () => {
  server = await startFixtureServer();
  project = await tempProject();
});
afterEach(async () => {
  await server.close();
  await project.cleanup();
});

const NATS_DIR = '/nats-io/nats-server/releases/download/v2.14.5';
const NATS_ASSET = 'nats-server-v2.14.5-linux-amd64.tar.gz';
const natsArchive = (script = versionScript('nats-server: v2.14.5')) =>
  tarGz([
    { name: 'nats-server-v2.14.5-linux-amd64/', dir: true },
    { name: 'nats-server-v2.14.5-linux-amd64/LICENSE', body: 'Apache-2.0', mode: 0o644 },
    { name: 'nats-server-v2.14.5-linux-amd64/README.md', body: '# NATS', mode: 0o644 },
    { name: 'nats-server-v2.14.5-linux-amd64/nats-server', body: script },
  ]);

/** nats-server's real manifest, download only, served with its SHA256SUMS. */
function serveNats(archive = natsArchive(), sums = checksumFile('sha256', { [NATS_ASSET]: archive, 'other.zip': Buffer.from('x') })): Binary {
  server.file(`${NATS_DIR}/${NATS_ASSET}`, archive);
  server.file(`${NATS_DIR}/SHA256SUMS`, sums);
  return localized(realBinary('nats'), server.origin, ['download']);
}

const provision = (binaries: Binary[], events: ProvisionEvent[] = [], timeouts = {}) =>
  provisionBinaries(binaries, project.settings, { platform: linux, reporter: (e) => events.push(e), timeouts });

const run = (file: string, ...args: string[]) => execFileSync(file, args, { encoding: 'utf8' }).trim();

/** The provisioning failed, for the one reason expected, and left nothing behind. */
async function expectRefused(binary: Binary, reason: string, message: string | RegExp, timeouts = {}): Promise<void> {
  const error = await provision([binary], [], timeouts).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(ProvisionError);
  const failure = (error as ProvisionError).failures[0]?.attempts.at(-1);
  expect(failure?.reason).toBe(reason);
  expect(failure?.message).toMatch(message);
  expect((error as ProvisionError).details).toContain(`${binary.name}: ${failure?.source}: ${failure?.message}`);
  expect(await filesUnder(project.settings.cacheDir)).toEqual([]);
  expect(await filesUnder(project.settings.depDir)).toEqual([]);
}

describe('upstream layouts', () => {
  it('nats-server: tar.gz wrapped in a folder, verified by SHA256SUMS', async () => {
    const [got] = await provision([serveNats()]);
    const depFile = path.join(project.settings.depDir, 'nats-server');
    expect(got).toMatchObject({ name: 'nats-server', version: '2.14.5', source: 'download', path: depFile });
    expect(got).not.toHaveProperty('origin');
    expect(got?.target).toBe(path.join(project.settings.cacheDir, 'bin/linux-amd64/nats-server/2.14.5/nats-server'));
    expect(await fs.readlink(depFile)).toBe(got?.target);
    expect(run(depFile, '--version')).toBe('nats-server: v2.14.5');
    expect(await filesUnder(project.settings.cacheDir)).toEqual(['bin/linux-amd64/nats-server/2.14.5/nats-server', 'bin/linux-amd64/nats-server/2.14.5/source.json']);
    const sidecar = JSON.parse(await fs.readFile(path.join(path.dirname(got!.target), 'source.json'), 'utf8'));
    expect(sidecar).toMatchObject({ origin: 'download', url: `${server.origin}${NATS_DIR}/${NATS_ASSET}`, archiveDigest: `sha256:${digest('sha256', natsArchive())}` });
  });

  it('pocketbase: zip with LICENSE and CHANGELOG, verified by checksums.txt', async () => {
    const dir = '/pocketbase/pocketbase/releases/download/v0.39.11';
    const asset = 'pocketbase_0.39.11_linux_amd64.zip';
    const archive = await zip([
      { name: 'CHANGELOG.md', body: '# changes', mode: 0o644 },
      { name: 'LICENSE.md', body: 'MIT', mode: 0o644 },
      { name: 'pocketbase', body: versionScript('pocketbase version 0.39.11') },
    ]);
    server.file(`${dir}/${asset}`, archive);
    server.file(`${dir}/checksums.txt`, checksumFile('sha256', { 'pocketbase_0.39.11_darwin_arm64.zip': Buffer.from('x'), [asset]: archive }));
    const [got] = await provision([localized(realBinary('pocketbase'), server.origin, ['download'])]);
    expect(got).toMatchObject({ source: 'download', version: '0.39.11' });
    expect(run(got!.path, '--version')).toBe('pocketbase version 0.39.11');
  });

  it('caddy: flat tar.gz verified by the sha512 caddy_<v>_checksums.txt; darwin is called mac', async () => {
    const dir = '/caddyserver/caddy/releases/download/v2.11.4';
    const asset = 'caddy_2.11.4_mac_arm64.tar.gz';
    const archive = tarGz([
      { name: 'LICENSE', body: 'Apache-2.0', mode: 0o644 },
      { name: 'README.md', body: '# Caddy', mode: 0o644 },
      { name: 'caddy', body: versionScript('v2.11.4 h1:AbCdEf=') },
    ]);
    server.file(`${dir}/${asset}`, archive);
    server.file(`${dir}/caddy_2.11.4_checksums.txt`, checksumFile('sha512', { [asset]: archive }));
    const binary = localized(realBinary('caddy'), server.origin, ['download']);
    const [got] = await provisionBinaries([binary], project.settings, { platform: { os: 'darwin', arch: 'arm64' } });
    expect(got).toMatchObject({ source: 'download', version: '2.11.4' });
    expect(got?.target).toContain('bin/darwin-arm64/caddy/2.11.4/caddy');
    expect(run(got!.path, 'version')).toBe('v2.11.4 h1:AbCdEf=');
  });

  it('a pinned sha256 for the platform wins over the checksum file, and a binary needs no archive', async () => {
    const body = Buffer.from(versionScript('tool 1.0.0'));
    server.file('/tool-1.0.0-linux-amd64', body);
    const binary: Binary = {
      name: 'tool',
      version: '1.0.0',
      sources: [{ type: 'download', url: `${server.origin}/tool-{version}-{os}-{arch}`, archive: 'binary', sha256: { linux_amd64: digest('sha256', body) } }],
    };
    const [got] = await provision([binary]);
    expect(run(got!.path)).toBe('tool 1.0.0');
    expect(server.requests).toEqual(['/tool-1.0.0-linux-amd64']);
  });
});

describe('the cache', () => {
  it('a second run is a cache hit: no request, well under a second', async () => {
    const binary = localized(realBinary('nats'), server.origin, ['cache', 'download']);
    serveNats();
    const first = await provision([binary]);
    expect(first[0]?.source).toBe('download');
    const requests = server.requests.length;

    const events: ProvisionEvent[] = [];
    const started = performance.now();
    const second = await provision([binary], events);
    expect(performance.now() - started).toBeLessThan(1000);
    expect(second[0]).toMatchObject({ source: 'cache', origin: 'download', target: first[0]?.target });
    expect(server.requests.length).toBe(requests);
    expect(events.map((e) => e.type)).toEqual(['attempt', 'provisioned']);
  });

  it('a cached binary that no longer matches its sha256 is not used, and is replaced', async () => {
    const binary = localized(realBinary('nats'), server.origin, ['cache', 'download']);
    serveNats();
    const [first] = await provision([binary]);
    await fs.appendFile(first!.target, '# tampered\n');

    const events: ProvisionEvent[] = [];
    const [second] = await provision([binary], events);
    const skipped = events.find((e) => e.type === 'skipped');
    expect(skipped).toMatchObject({ failure: { source: 'cache', reason: 'cache-corrupt', message: expect.stringContaining('differs from the recorded') } });
    expect(second?.source).toBe('download');
    expect(await fs.readFile(second!.target, 'utf8')).not.toContain('tampered');
  });

  it('two provisions of the same binary at once both succeed and leave one whole entry', async () => {
    const archive = natsArchive();
    server.route(`${NATS_DIR}/${NATS_ASSET}`, { kind: 'barrier', count: 2, body: archive });
    server.file(`${NATS_DIR}/SHA256SUMS`, checksumFile('sha256', { [NATS_ASSET]: archive }));
    const binary = localized(realBinary('nats'), server.origin, ['cache', 'download']);
    // Both miss the cache and download at once (the server holds the first until the second arrives).
    const [a, b] = await Promise.all([provision([binary]), provision([binary])]);
    expect(a[0]?.source).toBe('download');
    expect(b[0]?.source).toBe('download');
    expect(a[0]?.target).toBe(b[0]?.target);
    expect(await filesUnder(project.settings.cacheDir)).toEqual(['bin/linux-amd64/nats-server/2.14.5/nats-server', 'bin/linux-amd64/nats-server/2.14.5/source.json']);
    expect(await filesUnder(project.settings.depDir)).toEqual(['.nats-server.json', 'nats-server']);
    expect(run(a[0]!.path, '--version')).toBe('nats-server: v2.14.5');
  });
});

describe('refusals leave nothing behind', () => {
  it('checksum mismatch against the checksum file', async () => {
    const binary = serveNats(natsArchive(), checksumFile('sha256', { [NATS_ASSET]: Buffer.from('a different archive') }));
    await expectRefused(
      binary,
      'checksum-mismatch',
      /^nats-server-v2\.14\.5-linux-amd64\.tar\.gz: sha256 [0-9a-f]{64} does not match [0-9a-f]{64} from http:\/\/127\.0\.0\.1:\d+\/.*\/SHA256SUMS; refused$/,
    );
  });

  it('checksum mismatch against a pinned sha256', async () => {
    server.file('/tool.tar.gz', tarGz([{ name: 'tool', body: 'x' }]));
    const binary: Binary = {
      name: 'tool',
      version: '1.0.0',
      sources: [{ type: 'download', url: `${server.origin}/tool.tar.gz`, archive: 'tar.gz', sha256: { linux_amd64: '0'.repeat(64) } }],
    };
    await expectRefused(binary, 'checksum-mismatch', `does not match ${'0'.repeat(64)} from the manifest; refused`);
  });

  it('a checksum file that does not list the asset', async () => {
    const binary = serveNats(natsArchive(), checksumFile('sha256', { 'nats-server-v2.14.5-darwin-arm64.tar.gz': Buffer.from('x') }));
    await expectRefused(binary, 'checksum-missing', /SHA256SUMS lists no sha256 for nats-server-v2\.14\.5-linux-amd64\.tar\.gz$/);
    expect(server.requests).toEqual([`${NATS_DIR}/SHA256SUMS`]);
  });

  it('no pinned sha256 for this platform and no checksum file', async () => {
    const binary: Binary = {
      name: 'tool',
      version: '1.0.0',
      sources: [{ type: 'download', url: `${server.origin}/tool`, archive: 'binary', sha256: { darwin_arm64: 'a'.repeat(64) } }],
    };
    await expectRefused(binary, 'unsupported-platform', 'no pinned sha256 for linux_amd64 (pinned: darwin_arm64) and no checksum file');
  });

  it('zip-slip: an entry named ../ in an archive whose checksum is right', async () => {
    const archive = patchZipName(
      await zip([
        { name: 'pocketbase', body: 'x' },
        { name: 'xx/pwned', body: 'x' },
      ]),
      'xx/pwned',
      '../pwned',
    );
    server.file('/pb.zip', archive);
    const binary: Binary = {
      name: 'pocketbase',
      version: '0.39.11',
      sources: [{ type: 'download', url: `${server.origin}/pb.zip`, archive: 'zip', sha256: { linux_amd64: digest('sha256', archive) } }],
    };
    await expectRefused(binary, 'unsafe-archive', 'pb.zip: unsafe archive entry: path "../pwned" leaves the target folder; refused');
    expect(await filesUnder(path.dirname(project.settings.cacheDir))).toEqual([]);
  });

  it('a symlink escaping the target', async () => {
    const evil = tarGz([
      { name: 'nats-server-v2.14.5-linux-amd64/nats-server', body: versionScript('nats-server: v2.14.5') },
      { name: 'nats-server-v2.14.5-linux-amd64/escape', symlink: '../../../../home' },
    ]);
    const binary = serveNats(evil, checksumFile('sha256', { [NATS_ASSET]: evil }));
    await expectRefused(binary, 'unsafe-archive', 'symlink "nats-server-v2.14.5-linux-amd64/escape" points out of the target folder ("../../../../home"); refused');
  });

  it('a truncated archive (the checksum file lists the truncated bytes)', async () => {
    const whole = natsArchive(versionScript('x').padEnd(200_000, '#'));
    const truncated = whole.subarray(0, whole.length - 100);
    const binary = serveNats(truncated, checksumFile('sha256', { [NATS_ASSET]: truncated }));
    await expectRefused(binary, 'bad-archive', /^nats-server-v2\.14\.5-linux-amd64\.tar\.gz: cannot read the tar\.gz archive: .+; refused$/);
  });

  it('a download cut short by the server', async () => {
    const binary = serveNats();
    server.route(`${NATS_DIR}/${NATS_ASSET}`, { kind: 'cut', body: natsArchive() });
    await expectRefused(binary, 'network', `${NATS_ASSET}: `);
  });

  it('404 for the archive', async () => {
    const binary = localized(realBinary('nats'), server.origin, ['download']);
    const gone = { ...binary, sources: binary.sources.map((s) => (s.type === 'download' ? { ...s, url: s.url.replace('{arch}', '{arch}-gone') } : s)) };
    server.file(`${NATS_DIR}/SHA256SUMS`, checksumFile('sha256', { 'nats-server-v2.14.5-linux-amd64-gone.tar.gz': natsArchive() }));
    await expectRefused(gone, 'http-status', /^http:\/\/127\.0\.0\.1:\d+\/.*\/nats-server-v2\.14\.5-linux-amd64-gone\.tar\.gz: HTTP 404 Not Found$/);
  });

  it('404 for the checksum file', async () => {
    const binary: Binary = { ...localized(realBinary('nats'), server.origin, ['download']), version: '9.9.9' };
    await expectRefused(binary, 'http-status', /^checksum file http:\/\/127\.0\.0\.1:\d+\/nats-io\/nats-server\/releases\/download\/v9\.9\.9\/SHA256SUMS: HTTP 404 Not Found$/);
  });

  it('a server that never answers times out (injected timeout)', async () => {
    const binary = serveNats();
    server.route(`${NATS_DIR}/SHA256SUMS`, { kind: 'hang' });
    await expectRefused(binary, 'timeout', /SHA256SUMS: no response within 50 ms$/, { responseMs: 50 });
  });

  it('a body that stalls times out (injected timeout)', async () => {
    const binary = serveNats();
    server.route(`${NATS_DIR}/${NATS_ASSET}`, { kind: 'stall', body: natsArchive() });
    await expectRefused(binary, 'timeout', /: stalled: no data for 50 ms \(after \d+ bytes\)$/, { idleMs: 50 });
  });
});

describe('offline', () => {
  it('falls through to the next source within a second, and the error lists every source tried', async () => {
    const archive = natsArchive();
    server.file(`${NATS_DIR}/${NATS_ASSET}`, archive);
    server.file(`${NATS_DIR}/SHA256SUMS`, checksumFile('sha256', { [NATS_ASSET]: archive }));
    const real = realBinary('nats');
    const offline = localized(real, 'http://core-test.invalid', ['path', 'cache', 'download', 'go-install']);
    const events: ProvisionEvent[] = [];
    const started = performance.now();
    const error = (await provision([offline], events).catch((e: unknown) => e)) as ProvisionError;
    expect(performance.now() - started).toBeLessThan(1000);
    expect(error).toBeInstanceOf(ProvisionError);
    expect(error.message).toBe('could not provision nats-server 2.14.5: every source failed');
    expect(error.details).toEqual([
      'nats-server: path: nats-server is not on PATH',
      `nats-server: cache: not in the cache (${project.settings.cacheDir}/bin/linux-amd64/nats-server/2.14.5)`,
      expect.stringMatching(/^nats-server: download: checksum file http:\/\/core-test\.invalid\/.*\/SHA256SUMS: fetch failed \(.*ENOTFOUND.*\)$/),
      'nats-server: go-install: the Go toolchain is not installed ("go" is not on PATH): building github.com/nats-io/nats-server/v2@v2.14.5 needs Go (https://go.dev/dl/); or install nats-server another way',
    ]);
    expect(error.exitCode).toBe(1);
    expect(events.filter((e) => e.type === 'skipped').map((e) => e.type === 'skipped' && e.failure.reason)).toEqual(['not-found', 'not-cached', 'network', 'no-go']);

    // A refused connection is as quick, and the next source (here a second, working mirror) is used.
    const mirror = localized(real, server.origin, ['download']);
    const refused = localized(real, 'http://127.0.0.1:1', ['download']);
    const fallback: Binary = { ...real, sources: [...refused.sources, ...mirror.sources] };
    const t0 = performance.now();
    const [got] = await provision([fallback]);
    expect(performance.now() - t0).toBeLessThan(1000);
    expect(got?.source).toBe('download');
  });
});
