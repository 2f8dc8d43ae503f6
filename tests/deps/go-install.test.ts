/** go-install for real: a tiny module served by a file GOPROXY, built by the Go toolchain. */
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { provisionBinaries, ProvisionError } from '../../src/deps/provision.js';
import type { ProvisionEvent } from '../../src/deps/types.js';
import { goPlatform } from '../../src/deps/platform.js';
import { findOnPath } from '../../src/deps/which.js';
import type { Binary } from '../../src/manifest/schema.js';
import { goEnv, HELLO_MODULE, HELLO_VERSION, writeGoProxy } from './helpers/go-proxy.js';
import { filesUnder, tempProject, type TempProject } from './helpers/project.js';

const go = await findOnPath('go', process.env.PATH);
let project: TempProject;

beforeEach(async () => {
  project = await tempProject(async (dir) => ({
    PATH: path.dirname(go ?? '/nonexistent/go'),
    ...goEnv(await writeGoProxy(path.join(dir, 'proxy')), path.join(dir, 'modcache')),
  }));
});
afterEach(async () => {
  await project.cleanup();
});

const hello = (extra: Partial<Extract<Binary['sources'][number], { type: 'go-install' }>> = {}): Binary => ({
  name: 'hello-tool',
  version: '1.0.0',
  sources: [{ type: 'cache' }, { type: 'go-install', module: HELLO_MODULE, version: HELLO_VERSION, ldflags: '-s -w -X main.version=1.0.0', ...extra }],
});

describe.skipIf(!go)('go install', () => {
  it('builds module@version with the ldflags into the cache, links it, then reuses the cache', { timeout: 180_000 }, async () => {
    const events: ProvisionEvent[] = [];
    const [got] = await provisionBinaries([hello()], project.settings, { reporter: (e) => events.push(e), heartbeatMs: 5 });
    expect(got).toMatchObject({ name: 'hello-tool', version: '1.0.0', source: 'go-install', path: path.join(project.settings.depDir, 'hello-tool') });
    expect(execFileSync(got!.path, ['--version'], { encoding: 'utf8' })).toBe('hello version 1.0.0\n');
    const { os, arch } = goPlatform();
    expect(await filesUnder(project.settings.cacheDir)).toEqual([`bin/${os}-${arch}/hello-tool/1.0.0/hello-tool`, `bin/${os}-${arch}/hello-tool/1.0.0/source.json`]);
    // A build is a long step: it reported progress while it ran.
    expect(events.some((e) => e.type === 'progress' && e.source === 'go-install' && e.detail.startsWith(`go install ${HELLO_MODULE}@${HELLO_VERSION}: `))).toBe(true);

    const [again] = await provisionBinaries([hello()], project.settings);
    expect(again).toMatchObject({ source: 'cache', origin: 'go-install', target: got?.target });
  });

  it('a build failure is reported with what go said, and leaves nothing', { timeout: 60_000 }, async () => {
    const error = await provisionBinaries([hello({ version: 'v9.9.9' })], project.settings).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProvisionError);
    const failure = (error as ProvisionError).failures[0]?.attempts[1];
    expect(failure).toMatchObject({ source: 'go-install', reason: 'build-failed', message: expect.stringMatching(/^go install example\.com\/hello@v9\.9\.9: exit 1: .*v9\.9\.9/) });
    expect(await filesUnder(project.settings.cacheDir)).toEqual([]);
    expect(await filesUnder(project.settings.depDir)).toEqual([]);
  });

  it('a wrong binary name says what go did produce', { timeout: 60_000 }, async () => {
    const error = (await provisionBinaries([hello({ binary: 'hullo' })], project.settings).catch((e: unknown) => e)) as ProvisionError;
    expect(error.failures[0]?.attempts[1]?.message).toBe(`go install ${HELLO_MODULE}@${HELLO_VERSION} produced no "hullo" (GOBIN holds: hello)`);
    expect(await filesUnder(project.settings.cacheDir)).toEqual([]);
  });
});

it('without Go, go-install says so clearly', async () => {
  const bare = await tempProject();
  try {
    const error = (await provisionBinaries([hello()], bare.settings).catch((e: unknown) => e)) as ProvisionError;
    expect(error.failures[0]?.attempts[1]).toEqual({
      source: 'go-install',
      reason: 'no-go',
      message: `the Go toolchain is not installed ("go" is not on PATH): building ${HELLO_MODULE}@${HELLO_VERSION} needs Go (https://go.dev/dl/); or install hello-tool another way`,
    });
    expect(await filesUnder(bare.dir)).toEqual([]);
  } finally {
    await bare.cleanup();
  }
});
