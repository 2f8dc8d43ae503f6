/**
 * The network-namespace test hosts themselves (tests/helpers/netns.ts): two
 * hosts reach each other by address and not once one is cut off; nothing is
 * left after destroy. Root only; skipped elsewhere.
 */
import { execFileSync, spawn } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { canUseNetns, createNetHosts, type NetHosts, runIn } from '../helpers/netns.js';

const SERVER = "require('net').createServer((s) => s.end('hello ' + process.argv[2] + '\\n')).listen(5000, process.argv[1], () => console.log('listening'))";
const CLIENT =
  "const s = require('net').connect({ port: 5000, host: process.argv[1], timeout: 1500 }); s.on('data', (d) => { process.stdout.write(String(d)); process.exit(0); }); s.on('timeout', () => { console.log('timeout'); process.exit(3); }); s.on('error', (e) => { console.log(e.code); process.exit(4); });";

describe.skipIf(!canUseNetns)('network-namespace test hosts', () => {
  let net: NetHosts | undefined;
  afterAll(() => net?.destroy());

  it('reach each other by address; a host cut off is not reached until its link is back', async () => {
    net = createNetHosts(['alpha', 'beta']);
    const beta = net.host('beta');
    const [command = '', ...args] = net.argv('beta', [process.execPath, '-e', SERVER, beta.address, 'beta']);
    const server = spawn(command, args, { stdio: ['ignore', 'pipe', 'inherit'] });
    try {
      await new Promise<void>((resolve, reject) => {
        server.stdout.on('data', (d: Buffer) => String(d).includes('listening') && resolve());
        server.on('exit', () => reject(new Error('the server ended')));
      });
      expect((await runIn(net, 'alpha', [process.execPath, '-e', CLIENT, beta.address])).stdout).toBe('hello beta\n');
      // Not on the root namespace's side: the address exists only inside the hosts.
      expect(execFileSync('ip', ['-o', 'addr'], { encoding: 'utf8' })).not.toContain(`${beta.address}/`);
      net.setLink('beta', false);
      const cut = await runIn(net, 'alpha', [process.execPath, '-e', CLIENT, beta.address]);
      expect(cut.code).not.toBe(0);
      net.setLink('beta', true);
      expect((await runIn(net, 'alpha', [process.execPath, '-e', CLIENT, beta.address])).stdout).toBe('hello beta\n');
    } finally {
      server.kill('SIGKILL');
    }
    const names = net.hosts.map((h) => h.ns);
    net.destroy();
    const left = execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' });
    for (const ns of names) expect(left).not.toContain(ns);
  });
});
