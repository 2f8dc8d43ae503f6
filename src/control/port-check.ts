/**
 * Before anything starts, every declared port must be free. A port in use is
 * an error naming the port, the service and, where /proc tells, the process
 * that holds it.
 */
import fs from 'node:fs';
import net from 'node:net';
import { InputError } from '../support/errors.js';
import type { PlannedService } from '../plan/types.js';

function canListen(host: string, port: number): Promise<NodeJS.ErrnoException | undefined> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', (error: NodeJS.ErrnoException) => resolve(error));
    server.listen({ host, port, exclusive: true }, () => server.close(() => resolve(undefined)));
  });
}

export async function checkPortsFree(services: readonly PlannedService[]): Promise<void> {
  const problems: string[] = [];
  for (const service of services) {
    for (const [name, { host, port }] of Object.entries(service.ports)) {
      const error = await canListen(host, port);
      if (!error) continue;
      if (error.code === 'EADDRINUSE') {
        const holder = portHolder(port);
        problems.push(`port ${port} (${service.name}.${name} on ${host}) is in use${holder ? ` by ${holder}` : ''}`);
      } else {
        problems.push(`port ${port} (${service.name}.${name} on ${host}): cannot listen: ${error.code ?? error.message}`);
      }
    }
  }
  if (problems.length > 0) {
    throw new InputError('port-in-use', problems.length === 1 ? problems[0]! : `${problems.length} ports are not free`, problems.length === 1 ? [] : problems);
  }
}

/** "pid 1234 (nginx)", from the listening socket's inode in /proc/net/tcp{,6} and the owners' fds. */
export function portHolder(port: number): string | undefined {
  const inodes = new Set<string>();
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text = '';
    try {
      text = fs.readFileSync(table, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const fields = line.trim().split(/\s+/);
      const local = fields[1];
      // state 0A = LISTEN
      if (local && fields[3] === '0A' && parseInt(local.split(':')[1] ?? '', 16) === port && fields[9]) inodes.add(fields[9]);
    }
  }
  if (inodes.size === 0) return undefined;
  for (const pid of fs.readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
    let fds: string[];
    try {
      fds = fs.readdirSync(`/proc/${pid}/fd`);
    } catch {
      continue;
    }
    for (const fd of fds) {
      let target: string;
      try {
        target = fs.readlinkSync(`/proc/${pid}/fd/${fd}`);
      } catch {
        continue;
      }
      const inode = /^socket:\[(\d+)\]$/.exec(target)?.[1];
      if (inode && inodes.has(inode)) {
        let command = '';
        try {
          command = fs.readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
        } catch {
          // It exited meanwhile.
        }
        return `pid ${pid}${command ? ` (${command})` : ''}`;
      }
    }
  }
  return 'another process';
}
