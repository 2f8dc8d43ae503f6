/** Issue 9, item 19: a long failure reason or probe error does not widen the status table. */
import { describe, expect, it } from 'vitest';
import { statusTable, type StatusRow } from '../../src/cli/commands/status.js';
import { renderTable } from '../../src/cli/render/table.js';

const long = `connection refused ${'x'.repeat(300)}`;
const row = (name: string, over: Partial<StatusRow> = {}): StatusRow => ({
  name,
  service: name,
  status: 'Running',
  health: 'healthy',
  pid: 1234,
  restarts: 0,
  uptime_seconds: 42,
  exit_code: null,
  ports: { http: 8080 },
  last_probe_error: null,
  waiting_for: null,
  reason: null,
  ...over,
});
const rows = [
  row('web'),
  row('api', { status: 'Error', reason: `exited with code 3: ${long}`, health: '-', pid: null, last_probe_error: `GET http://127.0.0.1/health: ${long}\nsecond line` }),
];

describe('status table', () => {
  it('cuts the reason and the probe error to 60 characters when stdout is not a terminal', () => {
    const lines = statusTable(rows);
    expect(lines).toHaveLength(3);
    for (const line of lines) expect(line.length).toBeLessThanOrEqual(180);
    expect(lines[2]).toContain('Error (exited with code 3: connection refused xxx');
    expect(lines[2]).toContain('…');
    expect(lines.join('\n')).not.toContain('second line');
  });

  it('fits a terminal width, cutting only the free-text columns', () => {
    for (const width of [80, 100, 200]) {
      const lines = statusTable(rows, width);
      for (const line of lines) expect(line.length).toBeLessThanOrEqual(width);
      expect(lines[1]).toMatch(/^web\s+Running\s+healthy\s+1234\s+0\s+42s\s+http 8080/);
    }
  });

  it('names each port, shows a finished job with its exit code and a log-ready service with the line it waits for', () => {
    const lines = statusTable([
      row('nats', { ports: { client: 4222, monitor: 8222 } }),
      row('migrate', { status: 'Completed', phase: 'completed', exit_code: 0, pid: null, health: '-', ports: {} }),
      row('worker', { health: '-', ports: {}, waiting_for: 'worker ready' }),
    ]);
    expect(lines[1]).toContain('client 4222,monitor 8222');
    expect(lines[2]).toMatch(/^migrate\s+Completed \(exit 0\)/);
    expect(lines[3]).toContain('waiting for log line "worker ready"');
  });

  it('leaves short cells alone', () => {
    expect(
      renderTable(
        [
          ['A', 'B'],
          ['x', 'short'],
        ],
        { shrinkable: [1], cap: 60 },
      ),
    ).toEqual(['A  B', 'x  short']);
  });
});

describe('core ps', () => {
  it('takes the fast path of core status', async () => {
    const { standaloneFor } = await import('../../src/cli/standalone.js');
    expect(standaloneFor(['ps'])).toEqual({ name: 'status', json: false });
    expect(standaloneFor(['ps', '--json'])).toEqual({ name: 'status', json: true });
    expect(standaloneFor(['ps', 'api'])).toBeUndefined();
  });
});
