/**
 * `POST /project` over a real unix socket, against a supervisor on the fake
 * clock and spawner: the bounded body, validation (4xx), process-compose's
 * status map, and that the other routes still refuse a body.
 */
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startControlServer, MAX_PROJECT_BODY, type ControlServer } from '../../src/control/server.js';
import { doc, harness, type Harness } from '../engine/fakes.js';

let dir: string;
let socket: string;
let server: ControlServer;
let h: Harness;
const running = doc({ db: {}, app: { environment: ['A=1'], depends_on: { db: { condition: 'process_started' } } } });

function post(body: string | Buffer, headers: Record<string, string> = {}, target = '/project'): Promise<{ status: number; body: any }> {
  return new Promise((resolve, reject) => {
    const request = http.request(
      { socketPath: socket, method: 'POST', path: target, headers: { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)), ...headers } },
      (response) => {
        let text = '';
        response.on('data', (chunk) => (text += chunk));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, body: text ? JSON.parse(text) : undefined }));
      },
    );
    request.on('error', reject);
    request.end(body);
  });
}

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'core-project-route-'));
  socket = path.join(dir, 'core.sock');
  h = harness(running);
  h.engine.start();
  await h.clock.advance(1000);
  server = await startControlServer(socket, h.engine, { onProjectStop: () => {} });
});

afterAll(async () => {
  await server.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('POST /project', () => {
  it('the same document: 200 with an empty status map and the diff in x-core.apply', async () => {
    const answer = await post(JSON.stringify(running));
    expect(answer.status).toBe(200);
    const { 'x-core.apply': details, ...map } = answer.body;
    expect(map).toEqual({});
    expect(details).toMatchObject({ ok: true, started: [], stopped: [] });
  });

  it('a dry run of a change: process-compose status words, nothing restarted', async () => {
    const pid = h.engine.processState('app')?.pid;
    const desired = structuredClone(running);
    desired.processes.app!.environment = ['A=2'];
    delete desired.processes.db;
    desired.processes.app!.depends_on = undefined as never;
    delete desired.processes.app!.depends_on;
    desired.processes.web = { entrypoint: ['web'], working_dir: '/tmp', environment: [] };
    const answer = await post(JSON.stringify({ ...desired, 'x-core': { dry_run: true } }));
    expect(answer.status).toBe(200);
    const { 'x-core.apply': details, ...map } = answer.body;
    expect(map).toEqual({ db: 'removed', app: 'updated', web: 'added' });
    expect(details.diff.processes.find((p: { name: string }) => p.name === 'app')).toMatchObject({ action: 'replace', reasons: ['environment (A)'] });
    expect(h.engine.processState('app')?.pid).toBe(pid);
  });

  it.each([
    ['not JSON', '{"version":', 400, /not JSON/],
    ['not UTF-8', Buffer.from([0x7b, 0xff, 0x7d]), 400, /not JSON/],
    ['not a document', '[1,2]', 400, /not a valid document/],
    ['an unknown key', JSON.stringify({ ...running, bogus: 1 }), 400, /bogus/],
    ['a relative working_dir', JSON.stringify(doc({ a: { working_dir: 'rel' } })), 400, /processes\.a\.working_dir/],
    ['an undefined dependency', JSON.stringify(doc({ a: { depends_on: { ghost: { condition: 'process_started' } } } })), 400, /no process named ghost/],
    ['a cycle', JSON.stringify(doc({ a: { depends_on: { b: { condition: 'process_started' } } }, b: { depends_on: { a: { condition: 'process_started' } } } })), 400, /cycle/],
    ['a secret no process declares', JSON.stringify({ ...running, 'x-core': { secrets: { app: { TOKEN: 'x' } } } }), 400, /x-core\.secrets\.app\.TOKEN/],
    ['an unknown process to start', JSON.stringify({ ...running, 'x-core': { start: ['ghost'] } }), 400, /ghost/],
  ])('%s: %i', async (_, body, status, message) => {
    const answer = await post(body as string);
    expect(answer.status).toBe(status);
    expect(answer.body.error).toMatch(message);
    // Nothing is echoed back that was a secret value.
    expect(JSON.stringify(answer.body)).not.toContain('"x"');
  });

  it('a body over 8 MiB: 413 before it is read; a wrong content type: 415', async () => {
    expect((await post('{}', { 'content-length': String(MAX_PROJECT_BODY + 1) }).catch(() => ({ status: 413 }))).status).toBe(413);
    expect((await post(JSON.stringify(running), { 'content-type': 'text/plain' })).status).toBe(415);
  });

  it('no body: 400; other routes still refuse one (413)', async () => {
    expect((await post('', { 'content-length': '0' })).status).toBe(400);
    expect((await post('{}', {}, '/project/stop')).status).toBe(413);
  });
});
