import { describe, expect, it } from 'vitest';
import { normalizeEntryName, unsafeEntryName, unsafeHardLink, unsafeSymlink } from '../../src/deps/archive-paths.js';
import { assetName, findChecksum } from '../../src/deps/checksum-file.js';
import { formatElapsed } from '../../src/deps/heartbeat.js';
import { expandTemplate, goPlatform, platformKey, renamePlatform } from '../../src/deps/platform.js';
import { goBinaryName } from '../../src/deps/sources/go-install.js';
import { effectiveRange, inRange, parseVersion } from '../../src/deps/version.js';

describe('platform', () => {
  it.each([
    ['linux', 'x64', 'linux', 'amd64'],
    ['darwin', 'arm64', 'darwin', 'arm64'],
    ['win32', 'x64', 'windows', 'amd64'],
    ['linux', 'ia32', 'linux', '386'],
  ])('%s/%s is %s/%s in Go', (platform, arch, os, goArch) => {
    expect(goPlatform(platform, arch)).toEqual({ os, arch: goArch });
  });

  it('applies renames keyed by Go or Node names', () => {
    expect(renamePlatform({ os: 'darwin', arch: 'arm64' }, { os: { darwin: 'mac' } })).toEqual({ os: 'mac', arch: 'arm64' });
    expect(renamePlatform({ os: 'linux', arch: 'amd64' }, { arch: { x64: 'x86_64' } })).toEqual({ os: 'linux', arch: 'x86_64' });
    expect(renamePlatform({ os: 'linux', arch: 'amd64' }, { arch: { amd64: 'x86_64' } })).toEqual({ os: 'linux', arch: 'x86_64' });
    expect(renamePlatform({ os: 'linux', arch: 'amd64' }, {})).toEqual({ os: 'linux', arch: 'amd64' });
  });

  it('expands the upstream URL templates', () => {
    const vars = { version: '2.14.5', os: 'linux', arch: 'amd64' };
    expect(expandTemplate('https://x/v{version}/nats-server-v{version}-{os}-{arch}.tar.gz', vars)).toBe('https://x/v2.14.5/nats-server-v2.14.5-linux-amd64.tar.gz');
    expect(expandTemplate('{other} stays', vars)).toBe('{other} stays');
    expect(platformKey({ os: 'mac', arch: 'arm64' })).toBe('mac_arm64');
  });
});

describe('version output', () => {
  it.each([
    ['nats-server: v2.9.10\n', '2.9.10'],
    ['2.6.2\n', '2.6.2'],
    ['v2.11.4 h1:abcdef0123=\n', '2.11.4'],
    ['pocketbase version 0.39.11\n', '0.39.11'],
    ['base version 0.39.11\n', '0.39.11'],
    ['base version (untracked)\n', undefined],
    ['', undefined],
  ])('%j → %s', (output, version) => {
    expect(parseVersion(output)).toBe(version);
  });

  it('checks ranges with semver; no range means exactly the pin', () => {
    expect(inRange('2.9.10', '>=2.9.10')).toBe(true);
    expect(inRange('2.6.2', '>=2.7.0')).toBe(false);
    expect(inRange('0.40.0', '>=0.23.0 <0.40.0')).toBe(false);
    expect(effectiveRange(undefined, '1.2.3')).toBe('=1.2.3');
    expect(inRange('1.2.4', effectiveRange(undefined, '1.2.3'))).toBe(false);
  });
});

describe('checksum files', () => {
  const a = 'a'.repeat(64);
  const b = 'B'.repeat(64);
  const long = 'c'.repeat(128);
  const text = `${a}  nats-server-v2.14.5-linux-amd64.tar.gz\n${b} *pocketbase_0.39.11_linux_amd64.zip\r\nSHA256 (other.zip) = ${'d'.repeat(64)}\n${long}  caddy_2.11.4_linux_amd64.tar.gz\n`;

  it('finds GNU, binary-mode and BSD lines, lower-cased', () => {
    expect(findChecksum(text, 'nats-server-v2.14.5-linux-amd64.tar.gz', 'sha256')).toBe(a);
    expect(findChecksum(text, 'pocketbase_0.39.11_linux_amd64.zip', 'sha256')).toBe(b.toLowerCase());
    expect(findChecksum(text, 'other.zip', 'sha256')).toBe('d'.repeat(64));
    expect(findChecksum(text, 'caddy_2.11.4_linux_amd64.tar.gz', 'sha512')).toBe(long);
  });

  it('ignores digests of the wrong length and names it does not list', () => {
    expect(findChecksum(text, 'caddy_2.11.4_linux_amd64.tar.gz', 'sha256')).toBeUndefined();
    expect(findChecksum(text, 'nats-server-v2.14.5-linux-amd64.tar.gz', 'sha512')).toBeUndefined();
    expect(findChecksum(text, 'linux-amd64.tar.gz', 'sha256')).toBeUndefined();
  });

  it('names the asset by the last URL segment', () => {
    expect(assetName('https://github.com/o/r/releases/download/v1/caddy_1_linux_amd64.tar.gz?x=1')).toBe('caddy_1_linux_amd64.tar.gz');
  });
});

describe('archive entry paths', () => {
  it.each([
    ['caddy', undefined],
    ['./nats-server-v1-linux-amd64/nats-server', undefined],
    ['a/../b', undefined],
    ['../evil', 'path "../evil" leaves the target folder'],
    ['a/../../evil', 'path "a/../../evil" leaves the target folder'],
    ['..\\evil', 'path "..\\evil" leaves the target folder'],
    ['/etc/passwd', 'absolute path "/etc/passwd"'],
    ['C:/evil', 'absolute path "C:/evil"'],
  ])('%s', (name, why) => {
    expect(unsafeEntryName(name)).toBe(why);
  });

  it('refuses links that point out, allows links that stay in', () => {
    expect(unsafeSymlink('dir/link', '../file')).toBeUndefined();
    expect(unsafeSymlink('dir/link', '../../etc')).toMatch(/points out of the target folder/);
    expect(unsafeSymlink('link', '/etc/passwd')).toMatch(/absolute path/);
    expect(unsafeHardLink('x', 'dir/file')).toBeUndefined();
    expect(unsafeHardLink('x', '../file')).toMatch(/points out/);
  });

  it('normalizes entry names', () => {
    expect(normalizeEntryName('./a//b/')).toBe('a/b');
    expect(normalizeEntryName('./')).toBe('');
  });
});

describe('go install', () => {
  it.each([
    ['github.com/nats-io/nats-server/v2', 'nats-server'],
    ['github.com/caddyserver/caddy/v2/cmd/caddy', 'caddy'],
    ['github.com/pocketbase/pocketbase/examples/base', 'base'],
    ['example.com/v2', 'example.com'],
  ])('%s builds %s', (module, name) => {
    expect(goBinaryName(module)).toBe(name);
  });
});

it('formats elapsed time', () => {
  expect(formatElapsed(4_200)).toBe('4s');
  expect(formatElapsed(65_000)).toBe('1m05s');
});
