/** `core deps install|list` in-process, on a temp project whose manifests use fixture binaries. */
import fs from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { depsInstall, depsList } from '../../src/cli/deps.js';
import type { CliContext } from '../../src/cli/context.js';
import { goPlatform } from '../../src/deps/platform.js';
import { InputError, RuntimeError } from '../../src/support/errors.js';
import { digest, tarGz, versionScript } from './helpers/archives.js';
import { startFixtureServer, type FixtureServer } from './helpers/fixture-server.js';
import { tempProject, writeScript, type TempProject } from './helpers/project.js';

/** The CLI context, over the environment this file stubs. */
const ctx = (): CliContext => ({ env: process.env, self: [] });

let project: TempProject;
let server: FixtureServer;
let stdout: string;
let stderr: string;

async function writeManifest(name: string, binaries: unknown[]): Promise<void> {
  const dir = path.join(project.settings.root, 'services', name);
  await fs.mkdir(dir, { recursive: true });
  await fs.writeFile(
    path.join(dir, 'service.json'),
    JSON.stringify({ name, binaries, process: { command: `\${dep.${binaries.length ? (binaries[0] as { name: string }).name : 'x'}}` } }),
  );
}

beforeEach(async () => {
  project = await tempProject();
  server = await startFixtureServer();
  await writeScript(path.join(project.bin, 'tool'), versionScript('tool v1.4.0'));
  const archive = tarGz([{ name: 'fetched', body: versionScript('fetched 2.0.0') }]);
  server.file('/fetched-2.0.0.tar.gz', archive);
  const { os, arch } = goPlatform();
  await writeManifest('alpha', [{ name: 'tool', version: '1.5.0', sources: [{ type: 'path', range: '^1.2.0' }, { type: 'cache' }] }]);
  await writeManifest('beta', [
    {
      name: 'fetched',
      version: '2.0.0',
      sources: [
        { type: 'path' },
        { type: 'cache' },
        { type: 'download', url: `${server.origin}/fetched-{version}.tar.gz`, archive: 'tar.gz', sha256: { [`${os}_${arch}`]: digest('sha256', archive) } },
      ],
    },
  ]);
  for (const [key, value] of Object.entries(project.settings.env)) vi.stubEnv(key, value);
  vi.stubEnv('CORE_ROOT', project.settings.root);
  stdout = '';
  stderr = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => ((stdout += String(chunk)), true));
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => ((stderr += String(chunk)), true));
});
afterEach(async () => {
  vi.unstubAllEnvs();
  await server.close();
  await project.cleanup();
});

describe('core deps install', () => {
  it('--json prints one versioned document of what was used', async () => {
    await depsInstall(ctx(), [], { json: true });
    const depDir = project.settings.depDir;
    const cached = path.join(project.settings.cacheDir, 'bin', `${goPlatform().os}-${goPlatform().arch}`, 'fetched', '2.0.0', 'fetched');
    expect(JSON.parse(stdout)).toEqual({
      version: 1,
      binaries: [
        { name: 'tool', status: 'ok', version: '1.4.0', pinned: '1.5.0', source: 'path', origin: null, path: path.join(depDir, 'tool'), target: path.join(project.bin, 'tool') },
        { name: 'fetched', status: 'ok', version: '2.0.0', pinned: '2.0.0', source: 'download', origin: null, path: path.join(depDir, 'fetched'), target: cached },
      ],
    });
    expect(stderr).toContain('fetched: path: fetched is not on PATH\n');
    expect(stderr).toContain(`fetched: downloading ${server.origin}/fetched-2.0.0.tar.gz\n`);

    stdout = '';
    await depsList(ctx(), { json: true });
    const listed = JSON.parse(stdout);
    expect(listed.binaries.map((b: { name: string; source: string; status: string }) => [b.name, b.source, b.status])).toEqual([
      ['tool', 'path', 'ok'],
      ['fetched', 'download', 'ok'],
    ]);
  });

  it('prints a table; a second run is a cache hit', async () => {
    await depsInstall(ctx(), ['beta'], {});
    stdout = '';
    await depsInstall(ctx(), ['beta'], {});
    const lines = stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^BINARY\s+VERSION\s+SOURCE\s+PATH$/);
    expect(lines[1]).toMatch(new RegExp(`^fetched\\s+2\\.0\\.0\\s+cache \\(download\\)\\s+${project.settings.depDir}/fetched -> .*/fetched$`));
    expect(lines).toHaveLength(2);
    expect(server.requests).toEqual(['/fetched-2.0.0.tar.gz']);
  });

  it('an unknown service is bad input (exit 2) that names it', async () => {
    const error = await depsInstall(ctx(), ['alpha', 'nope'], {}).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InputError);
    expect(error).toMatchObject({ exitCode: 2, reason: 'unknown-service', message: 'unknown service: nope', details: ['known services: alpha, beta'] });
    expect(stdout).toBe('');
  });

  it('a binary no source can supply is a runtime failure (exit 1) listing every source', async () => {
    await fs.rm(path.join(project.bin, 'tool'));
    const error = await depsInstall(ctx(), ['alpha'], {}).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RuntimeError);
    expect(error).toMatchObject({ exitCode: 1, reason: 'provision-failed', details: ['tool: path: tool is not on PATH', expect.stringMatching(/^tool: cache: not in the cache/)] });
  });
});

describe('core deps list', () => {
  it('shows binaries never provisioned, and links that dangle', async () => {
    await depsList(ctx(), {});
    expect(stdout).toMatch(/^tool\s+-\s+missing\s+\S+\/\.dep\/tool$/m);
    await depsInstall(ctx(), ['alpha'], {});
    await fs.rm(path.join(project.bin, 'tool'));
    stdout = '';
    await depsList(ctx(), { json: true });
    expect(JSON.parse(stdout).binaries[0]).toMatchObject({ name: 'tool', status: 'broken', version: '1.4.0', source: 'path', target: null });
  });
});
