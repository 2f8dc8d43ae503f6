/**
 * The whole suite writes its temporary folders under one folder of its own
 * (TMPDIR, which os.tmpdir() reads), removed at the end: nothing is left in the
 * system's temp folder even when a test fails before its own clean-up. It is
 * 0755 so the second-user tests can reach a project inside it (each project
 * folder keeps its own mode). Mounts a root-only test left under it are taken
 * off first.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sweepStaleNetns } from './helpers/netns.js';

function mountsUnder(dir: string): string[] {
  let table = '';
  try {
    table = fs.readFileSync('/proc/self/mounts', 'utf8');
  } catch {
    return [];
  }
  // Mount points escape spaces and the like as octal: \040.
  const points = table.split('\n').map((line) => line.split(' ')[1]?.replace(/\\(\d{3})/g, (_, octal: string) => String.fromCharCode(parseInt(octal, 8))) ?? '');
  return points.filter((point) => point.startsWith(`${dir}/`)).reverse();
}

export default function setup(): () => void {
  // Network-namespace test hosts a killed run left behind (tests/helpers/netns.ts).
  sweepStaleNetns();
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'core-suite-'));
  fs.chmodSync(root, 0o755);
  process.env.TMPDIR = root;
  return () => {
    for (const point of mountsUnder(root)) {
      try {
        execFileSync('umount', ['-l', point], { stdio: 'ignore' });
      } catch {
        // Not ours to take off, or gone already: rmSync below says so if it matters.
      }
    }
    fs.rmSync(root, { recursive: true, force: true });
  };
}
