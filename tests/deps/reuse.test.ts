/** `core up`'s fast path: reuse what `.dep/` links, unless anything about it changed. */
import fs from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { provisionBinaries } from '../../src/deps/provision.js';
import type { ProvisionEvent } from '../../src/deps/types.js';
import type { Binary } from '../../src/manifest/schema.js';
import { tempProject, writeScript, type TempProject } from './helpers/project.js';

let project: TempProject;
beforeEach(async () => {
  project = await tempProject();
});
afterEach(async () => {
  await project.cleanup();
});

const tool = (range = '>=1.0.0'): Binary => ({ name: 'tool', version: '1.2.3', sources: [{ type: 'path', range }] });
/** A fixture that counts how often it was asked for its version. */
const script = (version: string) => `#!/bin/sh\necho x >> "\${0%/*}/calls"\necho "tool v${version}"\n`;
const calls = async () => (await fs.readFile(path.join(project.bin, 'calls'), 'utf8').catch(() => '')).split('\n').filter(Boolean).length;

async function provision(binary: Binary): Promise<ProvisionEvent[]> {
  const events: ProvisionEvent[] = [];
  await provisionBinaries([binary], project.settings, { reuseLinked: true, reporter: (e) => events.push(e) });
  return events;
}

describe('reuseLinked', () => {
  it('reuses an unchanged link without running the binary', async () => {
    await writeScript(path.join(project.bin, 'tool'), script('1.5.0'));
    await provision(tool());
    expect(await calls()).toBe(1);
    const events = await provision(tool());
    expect(events).toEqual([]);
    expect(await calls()).toBe(1);
  });

  it('checks again when the file changed', async () => {
    const file = path.join(project.bin, 'tool');
    await writeScript(file, script('1.5.0'));
    await provision(tool());
    await fs.rm(file);
    await writeScript(file, `${script('1.6.0')}# changed\n`);
    await provision(tool());
    expect(await calls()).toBe(2);
  });

  it('checks again when the recorded version no longer fits the manifest', async () => {
    await writeScript(path.join(project.bin, 'tool'), script('1.5.0'));
    await provision(tool());
    await expect(provision(tool('>=2.0.0'))).rejects.toMatchObject({ details: [expect.stringContaining('outside >=2.0.0')] });
    expect(await calls()).toBe(2);
  });

  it('is off unless asked for (core deps install always searches)', async () => {
    await writeScript(path.join(project.bin, 'tool'), script('1.5.0'));
    await provisionBinaries([tool()], project.settings);
    await provisionBinaries([tool()], project.settings);
    expect(await calls()).toBe(2);
  });
});
