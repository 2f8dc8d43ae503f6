import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { extractMember, type ArchiveKind } from '../../src/deps/archive.js';
import { patchZipName, tarGz, zip, type FixtureEntry } from './helpers/archives.js';

let dir: string;
beforeEach(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'core-archive-'));
});
afterEach(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

async function build(kind: ArchiveKind, entries: readonly FixtureEntry[]): Promise<string> {
  const file = path.join(dir, `fixture.${kind}`);
  await fs.writeFile(file, kind === 'tar.gz' ? tarGz(entries) : await zip(entries));
  return file;
}

const dest = () => path.join(dir, 'out');

describe.each<ArchiveKind>(['tar.gz', 'zip'])('%s', (kind) => {
  it('extracts the member, executable, and nothing else', async () => {
    const file = await build(kind, [
      { name: 'nats-server-v1-linux-amd64/', dir: true },
      { name: 'nats-server-v1-linux-amd64/README.md', body: 'readme' },
      { name: 'nats-server-v1-linux-amd64/nats-server', body: 'binary!', mode: 0o755 },
      { name: 'nats-server-v1-linux-amd64/link', symlink: 'nats-server' },
    ]);
    expect(await extractMember(file, kind, 'nats-server-v1-linux-amd64/nats-server', dest())).toEqual({ ok: true });
    expect(await fs.readFile(dest(), 'utf8')).toBe('binary!');
    expect((await fs.stat(dest())).mode & 0o111).not.toBe(0);
    expect((await fs.readdir(dir)).sort()).toEqual([`fixture.${kind}`, 'out'].sort());
  });

  it('reports a missing member', async () => {
    const file = await build(kind, [{ name: 'LICENSE', body: 'x' }]);
    expect(await extractMember(file, kind, 'caddy', dest())).toEqual({ ok: false, reason: 'member-missing', message: 'the archive has no "caddy"' });
  });

  it('refuses a member that is a symlink', async () => {
    const file = await build(kind, [
      { name: 'real', body: 'x' },
      { name: 'caddy', symlink: 'real' },
    ]);
    const result = await extractMember(file, kind, 'caddy', dest());
    expect(result).toMatchObject({ ok: false, reason: 'bad-archive', message: '"caddy" in the archive is a symlink, not a regular file' });
  });

  it('refuses a symlink pointing out of the target, even beside a good member', async () => {
    const file = await build(kind, [
      { name: 'caddy', body: 'binary' },
      { name: 'escape', symlink: '../../../etc/passwd' },
    ]);
    expect(await extractMember(file, kind, 'caddy', dest())).toEqual({
      ok: false,
      reason: 'unsafe-archive',
      message: 'unsafe archive entry: symlink "escape" points out of the target folder ("../../../etc/passwd")',
    });
  });

  it('refuses an absolute symlink', async () => {
    const file = await build(kind, [
      { name: 'escape', symlink: '/etc' },
      { name: 'caddy', body: 'binary' },
    ]);
    expect(await extractMember(file, kind, 'caddy', dest())).toMatchObject({ ok: false, reason: 'unsafe-archive', message: expect.stringContaining('absolute path "/etc"') });
  });

  it('refuses a truncated archive', async () => {
    const big = Buffer.from(Array.from({ length: 300_000 }, (_, i) => (i * 7919) % 251));
    const file = await build(kind, [{ name: 'caddy', body: big }]);
    const whole = await fs.readFile(file);
    await fs.writeFile(file, whole.subarray(0, whole.length >> 1));
    const result = await extractMember(file, kind, 'caddy', dest());
    expect(result).toMatchObject({ ok: false, reason: 'bad-archive', message: expect.stringMatching(/^cannot read the .* archive: /) });
  });

  it('refuses something that is not an archive', async () => {
    const file = path.join(dir, 'html');
    await fs.writeFile(file, '<html>not found</html>');
    expect(await extractMember(file, kind, 'caddy', dest())).toMatchObject({ ok: false, reason: 'bad-archive' });
  });
});

describe('zip-slip', () => {
  it('refuses a tar entry named ../', async () => {
    const file = await build('tar.gz', [
      { name: 'caddy', body: 'binary' },
      { name: '../evil', body: 'owned' },
    ]);
    expect(await extractMember(file, 'tar.gz', 'caddy', dest())).toEqual({
      ok: false,
      reason: 'unsafe-archive',
      message: 'unsafe archive entry: path "../evil" leaves the target folder',
    });
    await expect(fs.access(path.join(dir, '..', 'evil'))).rejects.toThrow();
  });

  it('refuses a tar entry with an absolute path', async () => {
    const file = await build('tar.gz', [
      { name: '/tmp/evil', body: 'owned' },
      { name: 'caddy', body: 'binary' },
    ]);
    expect(await extractMember(file, 'tar.gz', 'caddy', dest())).toMatchObject({ reason: 'unsafe-archive', message: 'unsafe archive entry: absolute path "/tmp/evil"' });
  });

  it('refuses a tar hard link out of the target', async () => {
    const file = await build('tar.gz', [
      { name: 'caddy', body: 'binary' },
      { name: 'h', hardlink: '../../etc/shadow' },
    ]);
    expect(await extractMember(file, 'tar.gz', 'caddy', dest())).toMatchObject({ reason: 'unsafe-archive', message: expect.stringContaining('hard link "h"') });
  });

  it('refuses a zip entry named ../ (decoded by us, not yauzl)', async () => {
    const file = path.join(dir, 'slip.zip');
    const good = await zip([
      { name: 'pocketbase', body: 'binary' },
      { name: 'xx/evil', body: 'owned' },
    ]);
    await fs.writeFile(file, patchZipName(good, 'xx/evil', '../evil'));
    expect(await extractMember(file, 'zip', 'pocketbase', dest())).toEqual({
      ok: false,
      reason: 'unsafe-archive',
      message: 'unsafe archive entry: path "../evil" leaves the target folder',
    });
  });

  it('refuses a zip entry with an absolute path', async () => {
    const file = path.join(dir, 'abs.zip');
    const good = await zip([
      { name: 'xtmp/evil', body: 'owned' },
      { name: 'pocketbase', body: 'binary' },
    ]);
    await fs.writeFile(file, patchZipName(good, 'xtmp/evil', '/tmp/evil'));
    expect(await extractMember(file, 'zip', 'pocketbase', dest())).toMatchObject({ reason: 'unsafe-archive', message: 'unsafe archive entry: absolute path "/tmp/evil"' });
  });
});
