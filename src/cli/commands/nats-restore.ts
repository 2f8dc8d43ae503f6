/**
 * `core <nats> restore <backup>`: republish the streams of a backup that a
 * topology change saved (`.data/nats/migrations/<time>/`) into the running
 * processes of that NATS service, checking every count, as the change itself
 * would have. For a change whose carry-over failed; a stream that exists
 * already is refused, never merged into.
 */
import path from 'node:path';
import { connectEngine } from '../../engines/index.js';
import { InputError, RuntimeError } from '../../support/errors.js';
import type { CliContext } from '../context.js';
import { loadStack } from '../load-stack.js';
import { print, printJson } from '../output.js';
import { runningStack } from './apply.js';

export async function natsRestore(ctx: CliContext, service: string, backup: string, options: { json?: boolean }): Promise<void> {
  const [{ holdsStreams, natsServices }, { credentials, hostPort }, { readBackupIndex }, { importStreams }] = await Promise.all([
    import('../../services/nats-migrate/groups.js'),
    import('../../services/nats-migrate/carry.js'),
    import('../../services/nats-migrate/backup.js'),
    import('../../services/nats-migrate/import.js'),
  ]);
  const dir = path.resolve(backup);
  let streams: number;
  try {
    streams = readBackupIndex(dir).streams.length;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new InputError('bad-backup', `${backup}: ${code === 'ENOENT' ? 'no backup.json there (a backup is a folder under .data/nats/migrations/)' : (error as Error).message}`);
  }
  const handle = runningStack(ctx);
  const { plan } = await loadStack(ctx, { cache: true });
  const processes = natsServices(plan).get(service);
  if (!processes) throw new InputError('not-nats', `${service}: not a NATS service with JetStream; restore puts a NATS backup into one`);
  const running = new Set((await connectEngine(handle).snapshot()).filter((p) => p.is_running).map((p) => p.name));
  const to = processes.filter((s) => holdsStreams(s.name, service));
  const stopped = to.filter((s) => !running.has(s.name)).map((s) => s.name);
  if (stopped.length)
    throw new RuntimeError(
      'not-running',
      `${stopped.join(', ')} ${stopped.length === 1 ? 'is' : 'are'} not running: start ${stopped.length === 1 ? 'it' : 'them'} first (\`core start ${stopped.join(' ')}\`)`,
    );
  const servers = to.flatMap((s) => (s.ports.client ? [hostPort(s.ports.client.host, s.ports.client.port)] : []));
  let result: Awaited<ReturnType<typeof importStreams>>;
  try {
    result = await importStreams({ servers, ...credentials(to[0]!), timeout: 5000 }, dir, { clusterSize: to.length });
  } catch (error) {
    throw new RuntimeError('restore-failed', `${service}: restoring ${path.relative(plan.root, dir) || dir} failed: ${(error as Error).message}`, [
      'the backup is unchanged; streams restored before the failure stay on the servers',
    ]);
  }
  const names = to.map((s) => s.name);
  if (options.json) return printJson({ ok: true, service, backup: path.relative(plan.root, dir), into: names, streams: result.streams, messages: result.messages });
  print(`restored ${streams} stream${streams === 1 ? '' : 's'}, ${result.messages} message${result.messages === 1 ? '' : 's'} into ${names.join(', ')}`);
}
