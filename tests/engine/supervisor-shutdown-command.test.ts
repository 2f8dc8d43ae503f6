/**
 * `shutdown.command`, `is_daemon` and `ordered_shutdown` on the fake spawner and
 * clock. A shutdown command is spawned as `bash -c <command>`, so the fake
 * spawner files it under `bash`.
 */
import { describe, expect, it } from 'vitest';
import { doc, flush, harness } from './fakes.js';

const withCommand = (extra: object = {}) =>
  doc({ server: { environment: ['PORT=1'], working_dir: '/srv', shutdown: { signal: 15, timeout_seconds: 5, command: 'stop-it' }, ...extra } });

describe('shutdown.command', () => {
  it('runs through the shell with the process environment and folder instead of the signal; the stop ends when both are gone', async () => {
    const h = harness(withCommand());
    h.engine.start();
    await h.clock.advance(0);
    let stopped = false;
    const done = h.engine.stop().then(() => (stopped = true));
    await flush();
    const command = h.spawner.last('bash');
    expect(command.spec).toMatchObject({ args: ['-c', 'stop-it'], cwd: '/srv' });
    expect(command.spec.env).toMatchObject({ PORT: '1', PC_PROC_NAME: 'server' });
    expect(h.spawner.last('server').kills).toEqual([]);
    expect(h.of('stopping', 'server')[0]).toMatchObject({ command: true });
    // The process goes first; the stop is not over while the command runs.
    h.spawner.last('server').exit(0);
    await flush();
    expect(stopped).toBe(false);
    expect(h.phase('server')).toBe('stopping');
    command.exit(0);
    await done;
    expect(h.engine.processState('server')).toMatchObject({ status: 'Completed', exit_code: 0 });
    expect(h.of('shutdown-failed')).toEqual([]);
  });

  it('uses the document shell', async () => {
    const d = { ...withCommand(), shell: { shell_command: 'sh', shell_argument: '-ec' } };
    const h = harness(d);
    h.engine.start();
    await h.clock.advance(0);
    void h.engine.stop();
    await flush();
    expect(h.spawner.last('sh').spec.args).toEqual(['-ec', 'stop-it']);
  });

  it('sends SIGKILL to the group when the command fails', async () => {
    const h = harness(withCommand());
    h.engine.start();
    await h.clock.advance(0);
    const done = h.engine.stop();
    await flush();
    h.spawner.last('bash').exit(3);
    await done;
    expect(h.spawner.last('server').kills).toEqual([{ signal: 9, group: true }]);
    expect(h.of('shutdown-failed', 'server')[0]?.error).toBe('shutdown command exited with code 3');
  });

  it('kills a command that overruns timeout_seconds, and SIGKILLs the process', async () => {
    const h = harness(withCommand());
    h.spawner.ignore('bash', 15);
    h.engine.start();
    await h.clock.advance(0);
    const done = h.engine.stop();
    await h.clock.advance(4999);
    expect(h.spawner.last('server').kills).toEqual([]);
    await h.clock.advance(1);
    expect(h.spawner.last('bash').kills).toEqual([{ signal: 9, group: true }]);
    expect(h.spawner.last('server').kills).toEqual([{ signal: 9, group: true }]);
    await done;
    expect(h.of('shutdown-failed', 'server')[0]?.error).toBe('did not end within 5s');
    expect(h.phase('server')).toBe('stopped');
  });

  it('gives the process timeout_seconds after a command that succeeded, then SIGKILL (core down cannot hang)', async () => {
    const h = harness(withCommand());
    h.spawner.ignore('server', 15);
    h.engine.start();
    await h.clock.advance(0);
    let stopped = false;
    const done = h.engine.stop().then(() => (stopped = true));
    await h.clock.advance(1000);
    h.spawner.last('bash').exit(0);
    await h.clock.advance(4999);
    expect(stopped).toBe(false);
    expect(h.spawner.last('server').kills).toEqual([]);
    await h.clock.advance(1);
    expect(h.spawner.last('server').kills).toEqual([{ signal: 9, group: true }]);
    await done;
    expect(h.of('killing', 'server')).toHaveLength(1);
  });

  it("writes the command's output to the process's log", async () => {
    const h = harness(withCommand());
    h.engine.start();
    await h.clock.advance(0);
    const done = h.engine.stop();
    await flush();
    h.spawner.last('bash').print('stopping now', 'stderr');
    h.spawner.last('bash').exit(0);
    h.spawner.last('server').exit(0);
    await done;
    expect(h.logs.get('/logs/server.log')).toEqual(['stopping now']);
  });
});

describe('is_daemon', () => {
  const daemonDoc = (extra: object = {}) =>
    doc({
      daemon: {
        is_daemon: true,
        readiness_probe: { exec: { command: 'check' }, initial_delay_seconds: 0, period_seconds: 1, timeout_seconds: 1, success_threshold: 1, failure_threshold: 3 },
        ...extra,
      },
      app: { depends_on: { daemon: { condition: 'process_healthy' } } },
    });

  it('is Launched after a success exit of its launcher; probes go on, dependents start; a stop runs the command, then Completed', async () => {
    const h = harness(daemonDoc({ shutdown: { signal: 15, timeout_seconds: 10, command: 'kill-daemon' } }));
    h.engine.start();
    await h.clock.advance(0);
    expect(h.spawner.last('daemon').spec.keepGroup).toBe(true);
    expect(h.engine.processState('daemon')?.status).toBe('Launching');
    h.spawner.last('daemon').exit(0);
    await flush();
    expect(h.engine.processState('daemon')).toMatchObject({ status: 'Launched', pid: 0, is_running: true, exit_code: 0 });
    expect(h.of('launched', 'daemon')).toHaveLength(1);
    h.prober.up('exec:check');
    await h.clock.advance(100);
    expect(h.engine.processState('daemon')?.is_ready).toBe('Ready');
    expect(h.spawner.count('app')).toBe(1);
    const before = h.prober.times('exec:check').length;
    await h.clock.advance(3000);
    expect(h.prober.times('exec:check').length).toBeGreaterThan(before);
    h.spawner.last('app').exit(0);
    const done = h.engine.stop();
    await flush();
    expect(h.spawner.last('bash').spec.args).toEqual(['-c', 'kill-daemon']);
    h.spawner.last('bash').exit(0);
    await done;
    expect(h.engine.processState('daemon')).toMatchObject({ status: 'Completed', exit_code: 0, restarts: 0 });
    expect(h.spawner.last('daemon').kills).toEqual([]);
  });

  it('without a shutdown command, a stop ends at once (the sweep of core down ends the daemon)', async () => {
    const h = harness(daemonDoc());
    h.engine.start(['daemon']);
    await h.clock.advance(0);
    h.spawner.last('daemon').exit(0);
    await flush();
    await h.engine.stop();
    expect(h.phase('daemon')).toBe('stopped');
    expect(h.spawner.count('bash')).toBe(0);
  });

  it('follows availability when the launcher fails', async () => {
    const h = harness(daemonDoc({ availability: { restart: 'on_failure', backoff_seconds: 1, max_restarts: 1 } }));
    h.engine.start(['daemon']);
    await h.clock.advance(0);
    h.spawner.last('daemon').exit(2);
    await flush();
    expect(h.engine.processState('daemon')?.status).toBe('Restarting');
    await h.clock.advance(1000);
    h.spawner.last('daemon').exit(2);
    await flush();
    expect(h.engine.processState('daemon')).toMatchObject({ status: 'Error', exit_code: 2, restarts: 1 });
    expect(h.of('launched')).toEqual([]);
  });
});

describe('ordered_shutdown', () => {
  const chain = { db: {}, api: { depends_on: { db: { condition: 'process_started' as const } } } };

  it('absent or false: every process is signalled at once, as process-compose does', async () => {
    const h = harness(doc(chain, { ordered_shutdown: false }));
    for (const name of ['db', 'api']) h.spawner.ignore(name, 15);
    h.engine.start();
    await h.clock.advance(0);
    void h.engine.stop();
    await flush();
    expect(
      h
        .of('stopping')
        .map((e) => e.name)
        .sort(),
    ).toEqual(['api', 'db']);
  });

  it('true: dependents first', async () => {
    const h = harness(doc(chain));
    for (const name of ['db', 'api']) h.spawner.ignore(name, 15);
    h.engine.start();
    await h.clock.advance(0);
    void h.engine.stop();
    await flush();
    expect(h.of('stopping').map((e) => e.name)).toEqual(['api']);
  });
});
