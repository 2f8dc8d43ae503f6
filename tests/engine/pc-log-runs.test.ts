/**
 * When the engine opens, writes and closes process-compose's log files
 * (supervisor.ts pcLogOf, runner.ts): a process's own `log_location` from the
 * start of a run to its end, with an empty line before each restart of its own
 * (process.go run: handleInfo("\n")); the project's from the project's start to
 * its stop, shared by every process without a file of its own.
 */
import { describe, expect, it } from 'vitest';
import type { ComposeDoc } from '../../src/compose/schema.js';
import type { OpenPcLog } from '../../src/engine/pc-log/sink.js';
import { doc, harness } from './fakes.js';

function recorder(): { open: OpenPcLog; log: string[] } {
  const log: string[] = [];
  const open: OpenPcLog = (file, config) => {
    log.push(`open ${file}${config ? ` ${JSON.stringify(config)}` : ''}`);
    return {
      write: (e) => void log.push(`${file}: ${e.isError ? 'error' : 'info'} ${e.process}/${e.replica} ${JSON.stringify(e.message)}`),
      close: () => void log.push(`close ${file}`),
    };
  };
  return { open, log };
}

describe("process-compose's log files", () => {
  it('own log_location: opened at the start, kept across a restart (after an empty line), closed at the end; core logs the lines too', async () => {
    const { open, log } = recorder();
    const h = harness(doc({ svc: { log_location: '/pc/svc.log', log_configuration: { no_metadata: true }, availability: { restart: 'on_failure', backoff_seconds: 1 } } }), {
      openPcLog: open,
    });
    h.engine.start();
    await h.clock.advance(0);
    h.spawner.last('svc').print('one');
    h.spawner.last('svc').print('oops', 'stderr');
    h.spawner.last('svc').exit(1);
    await h.clock.advance(1000);
    h.spawner.last('svc').print('two');
    h.spawner.last('svc').exit(0);
    await h.clock.advance(0);
    expect(log).toEqual([
      'open /pc/svc.log {"no_metadata":true}',
      '/pc/svc.log: info svc/0 "one"',
      '/pc/svc.log: error svc/0 "oops"',
      '/pc/svc.log: info svc/0 "\\n"',
      '/pc/svc.log: info svc/0 "two"',
      'close /pc/svc.log',
    ]);
    expect(h.logs.get('/logs/svc.log')).toEqual(['one', 'oops', 'two']);
  });

  it('a start after the end (core restart of a completed process) opens the file anew', async () => {
    const { open, log } = recorder();
    const h = harness(doc({ svc: { log_location: '/pc/svc.log' } }), { openPcLog: open });
    h.engine.start();
    await h.clock.advance(0);
    h.spawner.last('svc').exit(0);
    await h.clock.advance(0);
    h.engine.restart('svc');
    await h.clock.advance(0);
    h.spawner.last('svc').print('again');
    await h.clock.advance(0);
    expect(log).toEqual(['open /pc/svc.log', 'close /pc/svc.log', 'open /pc/svc.log', '/pc/svc.log: info svc/0 "again"']);
  });

  it("project log_location: opened at the project's start, shared by processes without their own, closed at the stop", async () => {
    const { open, log } = recorder();
    const composeDoc: ComposeDoc = {
      ...doc({ a: {}, b: { depends_on: { a: { condition: 'process_completed' } }, 'x-core': { service: 'b', replica: 3 } }, own: { log_location: '/pc/own.log' } }),
      log_location: '/pc/project.log',
      log_configuration: { add_timestamp: true },
    };
    const h = harness(composeDoc, { openPcLog: open });
    h.engine.start(['a', 'b']);
    expect(log).toEqual(['open /pc/project.log {"add_timestamp":true}']);
    await h.clock.advance(0);
    h.spawner.last('a').print('from a');
    h.spawner.last('a').exit(0);
    await h.clock.advance(0);
    h.spawner.last('b').print('from b', 'stderr');
    h.spawner.last('b').exit(0);
    await h.clock.advance(0);
    await h.engine.stop();
    expect(log).toEqual(['open /pc/project.log {"add_timestamp":true}', '/pc/project.log: info a/0 "from a"', '/pc/project.log: error b/3 "from b"', 'close /pc/project.log']);
  });

  it("a log_location that is core's own log of the process (core's generated file) gets no second writer", async () => {
    const { open, log } = recorder();
    const h = harness(doc({ svc: { log_location: '/logs/svc.log' } }), { openPcLog: open });
    h.engine.start();
    await h.clock.advance(0);
    h.spawner.last('svc').print('plain');
    await h.clock.advance(0);
    expect(log).toEqual([]);
    expect(h.logs.get('/logs/svc.log')).toEqual(['plain']);
  });
});
