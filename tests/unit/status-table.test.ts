/** Issue 9, item 19: a long failure reason or probe error does not widen the status table. */
import { describe, expect, it } from 'vitest';
import { statusTable, type StatusRow } from '../../src/cli/commands/status.js';
import { renderTable } from '../../src/cli/render/table.js';

const long = `connection refused ${'x'.repeat(300)}`;
const row = (name: string, over: Partial<StatusRow> = {}): StatusRow => ({
  name,
  status: 'Running',
  health: 'healthy',
  pid: 1234,
  restarts: 0,
  uptime_seconds: 42,
  exit_code: null,
  ports: { http: 8080 },
  last_probe_error: null,
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
      expect(lines[1]).toMatch(/^web\s+Running\s+healthy\s+1234\s+0\s+42s\s+8080/);
    }
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
