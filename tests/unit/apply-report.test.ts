import { describe, expect, it } from 'vitest';
import { applyJson, applyLines, type ApplyReport } from '../../src/cli/render/apply-report.js';
import type { StackDiff } from '../../src/engine/index.js';

const D = `sha256:${'d'.repeat(64)}`;
const diff: StackDiff = {
  processes: [
    { name: 'nats-1', action: 'keep', updates: ['x-core.reload'], reload: true },
    { name: 'nats-2', action: 'keep', updates: ['x-core.reload', 'description'], reload: true },
    { name: 'nats-3', action: 'keep', updates: [] },
    { name: 'nats-5', action: 'keep', updates: ['x-core.reload'], reload: true },
    { name: 'nats-4', action: 'add' },
  ],
  unchanged: false,
};

describe('the apply report of a reload in place', () => {
  it('says "reloaded" with the time and the verified digest; "already runs" when nothing had to be sent', () => {
    const report: ApplyReport = {
      ok: true,
      diff,
      started: ['nats-4'],
      stopped: [],
      outcomes: [{ name: 'nats-4', status: 'healthy', readyMs: 700 }],
      reloaded: [
        { name: 'nats-1', afterMs: 31, signalled: true, digest: D },
        { name: 'nats-2', afterMs: 4, signalled: false, digest: D },
        { name: 'nats-5', afterMs: 2, signalled: false, digest: null },
      ],
    };
    expect(applyLines(report, 750)).toEqual([
      `↻ nats-1 reloaded in 31 ms (same pid; config verified, ${D.slice(0, 19)}…)`,
      '= nats-2 already runs its new config; in place: description',
      '= nats-5 not signalled: it was restarting, and reads its new config as it starts',
      '+ nats-4 added, ready in 700 ms',
      'applied in 750 ms; 1 process untouched',
    ]);
    const json = applyJson(report, 750, false);
    expect(json.processes.find((p) => p.name === 'nats-1')).toMatchObject({ action: 'keep', reloaded: true, reload_ms: 31 });
    expect(json.processes.find((p) => p.name === 'nats-2')).toMatchObject({ reloaded: false, reload_ms: null });
  });

  it('a dry run says what would be reloaded', () => {
    const report: ApplyReport = { ok: true, diff, started: [], stopped: [] };
    expect(applyLines(report, 5, true).slice(0, 2)).toEqual([
      '↻ nats-1 would be reloaded (its config, same pid)',
      '↻ nats-2 would be reloaded (its config, same pid); in place: description',
    ]);
  });

  it('a failed reload is named, the process runs on its old config; a stopped one (nothing reloaded) is an update in place', () => {
    const report: ApplyReport = {
      ok: false,
      diff: { processes: diff.processes.slice(0, 2), unchanged: true },
      started: [],
      stopped: [],
      reloaded: [],
      failure: { name: 'nats-1', names: ['nats-1'], message: 'nats-1 (pid 7): reload refused …', lastProbeError: null, lastLines: [] },
    };
    expect(applyLines(report, 40).slice(0, 2)).toEqual(['! nats-1 reload failed: it runs on its old config', '= nats-2 updated in place (x-core.reload, description)']);
  });
});
