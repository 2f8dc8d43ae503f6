/** What the dashboard's browser test needs besides the page: Chromium, a test service, the kernel's socket table. */
import { chromium } from 'playwright-core';
import fs from 'node:fs';

export const CHROMIUM = '/usr/bin/chromium';

/** Debian's Chromium, headless; as root in a closed network it needs these flags (notes-observability.md). */
export function launchChromium() {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
  });
}

/** A user service that needs NATS, prints a line with `marker` once and idles (no port, no probe: ready when started). */
export function workerService(marker: string) {
  return {
    name: 'worker',
    description: 'Prints a known line (the dashboard browser test).',
    process: {
      command: process.execPath,
      args: ['-e', `console.log('worker: waiting for jobs (' + ${JSON.stringify(marker)} + ')'); setInterval(() => {}, 1 << 30);`],
      compose: { depends_on: { nats: { condition: 'process_healthy' } } },
    },
  };
}

/** Listening sockets of `port` in /proc/net/tcp and tcp6, as "address:port" in the kernel's hex. */
export function listeners(port: number): string[] {
  const hexPort = port.toString(16).toUpperCase().padStart(4, '0');
  return ['/proc/net/tcp', '/proc/net/tcp6'].flatMap((file) =>
    fs
      .readFileSync(file, 'utf8')
      .split('\n')
      .slice(1)
      .map((line) => line.trim().split(/\s+/))
      .filter((fields) => fields[1]?.endsWith(`:${hexPort}`) && fields[3] === '0A')
      .map((fields) => fields[1]!),
  );
}
