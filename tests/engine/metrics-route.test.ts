/**
 * GET /metrics on the control socket: a text answer (not JSON) from a real
 * server in front of a supervisor driven by the fake clock and spawner; a
 * failing scrape answers 500 and the server goes on answering.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ControlClient } from '../../src/control/client.js';
import { getText } from '../../src/control/get-text.js';
import { startControlServer } from '../../src/control/server.js';
import { Resources } from '../../src/observe/resources.js';
import { Timeline } from '../../src/observe/timeline.js';
import { doc, harness } from './fakes.js';

const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

async function serve(resources: Pick<Resources, 'read'>) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'core-metrics-route-'));
  cleanup.push(() => fs.rmSync(dir, { recursive: true, force: true }));
  const h = harness(doc({ svc: {} }));
  const timeline = new Timeline();
  h.engine.subscribe(timeline.observe);
  const socket = path.join(dir, 'core.sock');
  const server = await startControlServer(socket, h.engine, { onProjectStop: () => {}, resources: resources as Resources, timeline });
  cleanup.push(() => server.close());
  h.engine.start();
  await h.clock.advance(0);
  return socket;
}

describe('GET /metrics on the control socket', () => {
  it('answers the text exposition with its content type', async () => {
    const socket = await serve(new Resources({ running: () => new Map() }));
    const answer = await getText(socket, '/metrics', 5000);
    expect(answer.status).toBe(200);
    expect(answer.body).toContain('core_process_up{process="svc",service="svc"} 1');
    expect(answer.body).toContain('# TYPE core_process_ready_latency_seconds histogram');
  });

  it('a scrape that fails answers 500, and the supervisor answers the next request', async () => {
    const socket = await serve({ read: () => Promise.reject(new Error('cannot read /proc')) });
    const answer = await getText(socket, '/metrics', 5000);
    expect(answer.status).toBe(500);
    expect(JSON.parse(answer.body)).toEqual({ error: 'internal error: cannot read /proc' });
    expect(await new ControlClient(socket).live()).toEqual({ status: 'alive' });
  });
});
