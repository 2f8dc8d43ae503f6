/** Several terminals at once: one stack, never two, and state that stays consistent. */
import { afterAll, describe, expect, it } from 'vitest';
import { e2eProject } from '../helpers/e2e.js';

const project = e2eProject(9200);

afterAll(async () => {
  await project.core('down');
});

describe('concurrent commands', () => {
  it('three `core up -d` at once start one stack; the others are refused, or apply to it (no change)', async () => {
    const results = await Promise.all([1, 2, 3].map(() => project.core('up', '-d', 'nats')));
    const codes = results.map((r) => r.code).sort();
    // Issue 10: an `up` that finds the stack running applies to it instead of being refused.
    expect(codes[0], results.map((r) => r.stderr).join('\n')).toBe(0);
    for (const code of codes) expect([0, 2]).toContain(code);
    for (const refused of results.filter((r) => r.code === 2)) expect(refused.stderr).toMatch(/already running|port .* is in use/);
    const status = JSON.parse((await project.core('status', '--json')).stdout);
    const running = status.processes.filter((p: { status: string }) => p.status !== 'Disabled');
    // One nats, running (its health is the probe's latest answer: on a loaded machine one 2 s probe
    // timeout shows it unhealthy for a period, which says nothing about the stacks started).
    expect(running.map((p: { name: string; status: string }) => [p.name, p.status])).toEqual([['nats', 'Running']]);
    expect(running[0].pid).toBeGreaterThan(1);
  });

  it('status during down, and two downs at once, all succeed and leave nothing running', async () => {
    const results = await Promise.all([project.core('down'), project.core('status', '--json'), project.core('down'), project.core('status')]);
    expect(results.map((r) => r.code)).toEqual([0, 0, 0, 0]);
    const status = JSON.parse((await project.core('status', '--json')).stdout);
    expect(status.running).toBe(false);
  });
});
