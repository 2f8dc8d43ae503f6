/**
 * Issue 9, item 4: a supervisor that is alive but never answers (here a fake that
 * holds the lock and the socket and ignores every request) is killed by
 * `core down` within its timeout, instead of `down` failing after it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { isSameProcess } from '../../src/support/proc.js';
import { runCore } from '../helpers/cli.js';

const FAKE = `
const fs = require('node:fs');
const net = require('node:net');
const [stackDir] = process.argv.slice(1);
const stat = fs.readFileSync('/proc/self/stat', 'utf8');
const start_time = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
fs.writeFileSync(stackDir + '/supervisor.lock', JSON.stringify({ pid: process.pid, start_time }));
// Accepts connections, reads them, answers nothing; ignores polite signals.
net.createServer((socket) => socket.on('data', () => {})).listen(stackDir + '/core.sock', () => console.log('listening'));
for (const s of ['SIGTERM', 'SIGINT', 'SIGHUP']) process.on(s, () => {});
`;

let fake: ChildProcess | undefined;
afterEach(() => {
  fake?.kill('SIGKILL');
});

describe('core down with a supervisor that does not answer', () => {
  it('kills it and returns within --timeout', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'core-silent-'));
    fs.mkdirSync(path.join(dir, 'services'));
    const stackDir = path.join(dir, '.core-stack');
    fs.mkdirSync(stackDir, { mode: 0o700 });
    fake = spawn(process.execPath, ['-e', FAKE, stackDir], { stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise((resolve) => fake!.stdout!.once('data', resolve));
    const identity = JSON.parse(fs.readFileSync(path.join(stackDir, 'supervisor.lock'), 'utf8'));

    const started = Date.now();
    const down = await runCore(['down', '--timeout', '5'], { cwd: dir });
    const took = Date.now() - started;
    expect(down.code, down.stderr).toBe(0);
    expect(took).toBeLessThan(5000);
    expect(down.stderr).toContain(`the supervisor (pid ${identity.pid}) was killed: it did not answer`);
    expect(isSameProcess(identity)).toBe(false);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
