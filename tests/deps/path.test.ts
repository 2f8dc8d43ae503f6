/** The path source: tiny fixture programs on a temp PATH that print versions as the real ones do. */
import fs from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { provisionBinaries, ProvisionError } from '../../src/deps/provision.js';
import type { ProvisionEvent } from '../../src/deps/types.js';
import { findOnPath } from '../../src/deps/which.js';
import type { Binary } from '../../src/manifest/schema.js';
import { versionScript } from './helpers/archives.js';
import { realBinary } from './helpers/manifests.js';
import { filesUnder, tempProject, writeScript, type TempProject } from './helpers/project.js';

let project: TempProject;
let SLEEP: string;
beforeAll(async () => {
  SLEEP = (await findOnPath('sleep', process.env.PATH)) as string;
});
beforeEach(async () => {
  project = await tempProject();
});
afterEach(async () => {
  await project.cleanup();
});

const onlyPath = (binary: Binary): Binary => ({ ...binary, sources: binary.sources.filter((s) => s.type === 'path' || s.type === 'cache') });
const provision = (binary: Binary, timeouts = {}) => provisionBinaries([binary], project.settings, { timeouts });
const failureOf = async (binary: Binary, timeouts = {}) => {
  const error = await provision(binary, timeouts).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(ProvisionError);
  expect(await filesUnder(project.settings.depDir)).toEqual([]);
  return (error as ProvisionError).failures[0]!.attempts[0]!;
};

describe('real manifests against Debian-style binaries', () => {
  it("passes over Debian's nats-server 2.9.10: clusters need reloads of routes and leaf remotes (2.14 or newer)", async () => {
    await writeScript(path.join(project.bin, 'nats-server'), versionScript('nats-server: v2.9.10'));
    const onlyOnPath = { ...realBinary('nats'), sources: realBinary('nats').sources.filter((s) => s.type === 'path') };
    expect(await failureOf(onlyOnPath)).toEqual({ source: 'path', reason: 'out-of-range', message: `${project.bin}/nats-server is 2.9.10, outside >=2.14.0` });
  });

  it('accepts a nats-server 2.14.5 on PATH (`nats-server: v2.14.5`)', async () => {
    await writeScript(path.join(project.bin, 'nats-server'), versionScript('nats-server: v2.14.5'));
    const [got] = await provision(onlyPath(realBinary('nats')));
    expect(got).toEqual({
      name: 'nats-server',
      version: '2.14.5',
      source: 'path',
      path: path.join(project.settings.depDir, 'nats-server'),
      target: path.join(project.bin, 'nats-server'),
    });
    expect(await fs.readlink(got!.path)).toBe(path.join(project.bin, 'nats-server'));
  });

  it("accepts Debian's caddy 2.6.2 (bare `2.6.2` from `caddy version`)", async () => {
    // Like caddy, this fixture knows `version` and not `--version`.
    await writeScript(path.join(project.bin, 'caddy'), '#!/bin/sh\n[ "$1" = version ] || { echo "Error: unknown flag: $1" >&2; exit 1; }\necho 2.6.2\n');
    const [got] = await provision(onlyPath(realBinary('caddy')));
    expect(got).toMatchObject({ version: '2.6.2', source: 'path' });
  });

  it('accepts upstream caddy output (`v2.11.4 h1:…`) and PocketBase (`pocketbase version 0.39.11`)', async () => {
    await writeScript(path.join(project.bin, 'caddy'), versionScript('v2.11.4 h1:0123abcd='));
    await writeScript(path.join(project.bin, 'pocketbase'), versionScript('pocketbase version 0.39.11'));
    const got = await provisionBinaries([onlyPath(realBinary('caddy')), onlyPath(realBinary('pocketbase'))], project.settings);
    expect(got.map((g) => [g.name, g.version])).toEqual([
      ['caddy', '2.11.4'],
      ['pocketbase', '0.39.11'],
    ]);
  });

  it('refuses a PocketBase outside its range and falls through to the next source', async () => {
    await writeScript(path.join(project.bin, 'pocketbase'), versionScript('pocketbase version 0.40.0'));
    const events: ProvisionEvent[] = [];
    const error = (await provisionBinaries([onlyPath(realBinary('pocketbase'))], project.settings, { reporter: (e) => events.push(e) }).catch((e: unknown) => e)) as ProvisionError;
    expect(error.details).toEqual([
      `pocketbase: path: ${project.bin}/pocketbase is 0.40.0, outside >=0.23.0 <0.40.0`,
      expect.stringMatching(/^pocketbase: cache: not in the cache \(/),
    ]);
    expect(events.map((e) => e.type)).toEqual(['attempt', 'skipped', 'attempt', 'skipped']);
  });
});

describe('version checks', () => {
  const tool = (range?: string, versionArgs?: string[]): Binary => ({
    name: 'tool',
    version: '1.2.3',
    sources: [{ type: 'path', ...(range ? { range } : {}), ...(versionArgs ? { version_args: versionArgs } : {}) }],
  });

  it('without a range, only the pinned version will do', async () => {
    await writeScript(path.join(project.bin, 'tool'), versionScript('tool 1.2.4'));
    expect(await failureOf(tool())).toEqual({ source: 'path', reason: 'out-of-range', message: `${project.bin}/tool is 1.2.4, outside =1.2.3` });
    await writeScript(path.join(project.bin, 'tool'), versionScript('tool 1.2.3'));
    expect((await provision(tool()))[0]?.version).toBe('1.2.3');
  });

  it('reads the version from stderr too, with the given arguments', async () => {
    await writeScript(path.join(project.bin, 'tool'), '#!/bin/sh\n[ "$1" = -v ] && echo "tool v1.5.0" >&2\n');
    expect((await provision(tool('^1.2.0', ['-v'])))[0]?.version).toBe('1.5.0');
  });

  it('says what the command printed when there is no version in it', async () => {
    await writeScript(path.join(project.bin, 'tool'), '#!/bin/sh\necho "tool version (untracked)"\nexit 3\n');
    expect(await failureOf(tool('>=1'))).toEqual({
      source: 'path',
      reason: 'no-version',
      message: `\`${project.bin}/tool --version\` printed no version (exit 3: tool version (untracked))`,
    });
  });

  it('gives up on a command that hangs (injected timeout)', async () => {
    await writeScript(path.join(project.bin, 'tool'), `#!/bin/sh\nexec ${SLEEP} 30\n`);
    expect(await failureOf(tool('>=1'), { versionMs: 50 })).toMatchObject({ reason: 'no-version', message: expect.stringContaining('(timed out after 50 ms)') });
  });

  it('a hanging script whose child keeps the pipes open is given up on too', async () => {
    // The fixture's own child outlives the kill for a few seconds, then exits by itself.
    await writeScript(path.join(project.bin, 'tool'), `#!/bin/sh\n${SLEEP} 5\n`);
    expect(await failureOf(tool('>=1'), { versionMs: 50 })).toMatchObject({ reason: 'no-version', message: expect.stringContaining('(timed out after 50 ms)') });
  });

  it('a range that is not semver is reported as such', async () => {
    expect(await failureOf(tool('newest'))).toEqual({ source: 'path', reason: 'bad-range', message: '"newest" is not a semver range' });
  });

  it('not on PATH; a non-executable file does not count', async () => {
    await fs.writeFile(path.join(project.bin, 'tool'), versionScript('1.2.3'), { mode: 0o644 });
    expect(await failureOf(tool())).toEqual({ source: 'path', reason: 'not-found', message: 'tool is not on PATH' });
  });

  it('never finds .dep/ itself on PATH', async () => {
    await fs.mkdir(project.settings.depDir, { recursive: true });
    await writeScript(path.join(project.settings.depDir, 'tool'), versionScript('1.2.3'));
    const settings = { ...project.settings, env: { ...project.settings.env, PATH: `${project.settings.depDir}:${project.bin}` } };
    const error = await provisionBinaries([tool()], settings).catch((e: ProvisionError) => e);
    expect((error as ProvisionError).failures[0]?.attempts[0]?.reason).toBe('not-found');
  });

  it('the command name can differ from the binary name', async () => {
    await writeScript(path.join(project.bin, 'nats-server-2.14'), versionScript('nats-server: v2.14.5'));
    const binary: Binary = { name: 'nats-server', version: '2.14.5', sources: [{ type: 'path', command: 'nats-server-2.14' }] };
    const [got] = await provision(binary);
    expect(got).toMatchObject({ path: path.join(project.settings.depDir, 'nats-server'), target: path.join(project.bin, 'nats-server-2.14') });
  });
});
