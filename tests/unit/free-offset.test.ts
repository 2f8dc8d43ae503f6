/** Tests choose their ports: never the defaults, and never ports another stack holds. */
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { e2eProject, freeOffset, releaseOffsets, STACK_PORTS } from '../helpers/e2e.js';
import { REPO } from '../helpers/stack.js';

// Two slots of this helper's own range (48000–48900).
const BAND = { from: 9500, to: 9800, step: 300 };
const held: net.Server[] = [];

function hold(port: number): Promise<void> {
  const server = net.createServer();
  held.push(server);
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
}

afterAll(async () => {
  await Promise.all(held.map((server) => new Promise((resolve) => server.close(resolve))));
});

describe('freeOffset', () => {
  it('passes over an offset one of whose ports is held, and two callers never get the same offset', async () => {
    await hold(2019 + BAND.from); // the last port it checks: the others are free
    const first = await freeOffset(STACK_PORTS, BAND);
    expect(first).toBe(BAND.to);
    await expect(freeOffset(STACK_PORTS, BAND)).rejects.toThrow(`no offset in ${BAND.from}..${BAND.to} has ports 4222, 8222, 8090, 2015, 2019 all free`);
  });

  it('gives its claims back when the file is done (releaseOffsets), so a long suite does not run out', async () => {
    releaseOffsets();
    const only = { from: 9200, to: 9200, step: 300 };
    expect(await freeOffset([1], only)).toBe(9200);
    await expect(freeOffset([1], only)).rejects.toThrow('no offset in 9200..9200');
    releaseOffsets();
    expect(await freeOffset([1], only)).toBe(9200);
  });
});

describe('no test depends on the default ports', () => {
  it('e2eProject refuses offset 0', () => {
    expect(() => e2eProject(0)).toThrow('tests must not run on the default ports');
  });

  it('no test file that runs stacks asks for offset 0 or connects to a default port', () => {
    const files = ['e2e', 'interop', 'browser'].flatMap((dir) =>
      fs
        .readdirSync(path.join(REPO, 'tests', dir))
        .filter((file) => file.endsWith('.test.ts'))
        .map((file) => `${dir}/${file}`),
    );
    const offending = files.filter((file) => {
      const text = fs.readFileSync(path.join(REPO, 'tests', file), 'utf8');
      // Offset 0, or a default port in a URL a test connects to (unit tests of generated config are fine).
      return /e2eProject\(\s*0\s*[,)]|CORE_PORT_OFFSET:\s*'0'|(?:nats|https?):\/\/127\.0\.0\.1:(?:4222|8222|8090|2015|2019)\b/.test(text);
    });
    expect(offending).toEqual([]);
  });
});
