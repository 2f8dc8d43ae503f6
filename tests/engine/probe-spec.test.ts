/** What an exec probe runs (engine/specs.ts probeSpecOf): the shell the document names, the process's folder and environment. */
import { describe, expect, it } from 'vitest';
import type { ComposeProbe, ComposeProcess } from '../../src/compose/schema.js';
import { probeSpecOf } from '../../src/engine/specs.js';

const exec = (working_dir?: string): ComposeProbe => ({
  exec: { command: 'test -f ready', ...(working_dir ? { working_dir } : {}) },
  initial_delay_seconds: 0,
  period_seconds: 1,
  timeout_seconds: 2,
  success_threshold: 1,
  failure_threshold: 3,
});
const proc = (over: Partial<ComposeProcess>): ComposeProcess => ({ entrypoint: ['app'], working_dir: '/srv/app', environment: [], ...over });
const env = { PATH: '/bin', PC_PROC_NAME: 'web' };

describe('probeSpecOf: exec probes', () => {
  it("runs through x-core.probe_shell (a process-compose file's shell), with the process's environment", () => {
    const p = proc({ readiness_probe: exec(), liveness_probe: exec('/srv/other'), 'x-core': { service: 'web', probe_shell: ['sh', '-ec'] } });
    expect(probeSpecOf(p, 'readiness', env)).toEqual({ kind: 'exec', command: 'test -f ready', shell: ['sh', '-ec'], cwd: '/srv/app', env, timeoutMs: 2000 });
    expect(probeSpecOf(p, 'liveness', env)).toMatchObject({ shell: ['sh', '-ec'], cwd: '/srv/other' });
  });

  it('runs through bash -c without it (core manifests, as process-compose without $COMPOSE_SHELL)', () => {
    expect(probeSpecOf(proc({ readiness_probe: exec() }), 'readiness', env)).toMatchObject({ shell: ['bash', '-c'] });
  });
});
