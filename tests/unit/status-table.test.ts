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
  cpu: 0.5,
  rss_bytes: 41 * 1024 * 1024,
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
    for (const line of lines) expect(line.length).toBeLessThanOrEqual(200);
    expect(lines[2]).toContain('Error (exited with code 3: connection refused xxx');
    expect(lines[2]).toContain('…');
    expect(lines.join('\n')).not.toContain('second line');
  });

  it('fits a terminal width, cutting only the free-text columns', () => {
    for (const width of [80, 100, 200]) {
      const lines = statusTable(rows, width);
      for (const line of lines) expect(line.length).toBeLessThanOrEqual(width);
      expect(lines[1]).toMatch(/^web\s+Running\s+healthy\s+1234\s+0\s+42s\s+50%\s+41\.0M\s+http 8080/);
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

describe('CPU and MEM cells', () => {
  it('shows cores as top does (100% = one core) and memory in binary units; unknown is -', async () => {
    const { formatBytes, formatCpu } = await import('../../src/cli/commands/status.js');
    expect([0, 0.004, 0.05, 0.5, 1.5, null].map(formatCpu)).toEqual(['0.0%', '0.4%', '5.0%', '50%', '150%', '-']);
    expect([512, 2048, 41.2 * 1024 * 1024, 1.5 * 1024 ** 3, 300 * 1024 ** 2, null].map(formatBytes)).toEqual(['512B', '2.00K', '41.2M', '1.50G', '300M', '-']);
  });

  it('shows - for a process that does not run', () => {
    const lines = statusTable([row('job', { status: 'Completed', pid: null, cpu: null, rss_bytes: null, uptime_seconds: null })]);
    expect(lines[1]).toMatch(/^job\s+Completed\s+healthy\s+-\s+0\s+-\s+-\s+-\s+http 8080/);
  });
});

describe('status --watch frames', () => {
  it('redraws from the cursor home, clearing each line to its end and what is below, and fits the terminal height', async () => {
    const { terminalFrame } = await import('../../src/cli/commands/status-watch.js');
    const frame = terminalFrame(['a', 'b'], 24);
    expect(frame).toBe('\x1b[Ha\x1b[K\nb\x1b[K\n\x1b[J');
    expect(frame).not.toContain('\x1b[2J'); // never blanked between frames: no flicker
    const tall = terminalFrame(
      Array.from({ length: 30 }, (_, i) => `line ${i}`),
      10,
    );
    expect(tall.split('\n')).toHaveLength(10);
    expect(tall).toContain('… 22 more lines');
  });
});
