/** Who may ask the dashboard anything (guard.ts), the token (token.ts), and which files it serves (assets.ts). */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { readAsset, readPage } from '../../src/dashboard/assets.js';
import { refuse } from '../../src/dashboard/guard.js';
import { CODE_TTL_MS, OpenCodes } from '../../src/dashboard/open-codes.js';
import { newToken, sameToken } from '../../src/dashboard/token.js';

const TOKEN = 'a'.repeat(64);
const PORT = 40123;
const HOST = { host: `127.0.0.1:${PORT}` };
const ask = (method: string, url: string, headers: Record<string, string> = HOST) => refuse({ method, url: new URL(url, 'http://x'), headers }, TOKEN, PORT);

describe('the token', () => {
  it('is 32 random bytes in hex, different each time', () => {
    const a = newToken();
    expect(a).toMatch(/^[0-9a-f]{64}$/);
    expect(newToken()).not.toBe(a);
  });

  it('matches only itself (any length, empty and missing refused)', () => {
    expect(sameToken(TOKEN, TOKEN)).toBe(true);
    for (const wrong of [undefined, '', TOKEN.slice(1), `${TOKEN}a`, 'b'.repeat(64)]) expect(sameToken(wrong, TOKEN)).toBe(false);
  });
});

describe('one-time opening codes', () => {
  it('work once, within their time, and only when issued', () => {
    let now = 1000;
    const codes = new OpenCodes(() => now);
    const a = codes.issue();
    const b = codes.issue();
    expect(a).toMatch(/^[0-9a-f]{32}$/);
    expect(codes.redeem(a)).toBe(true);
    expect(codes.redeem(a)).toBe(false);
    expect(codes.redeem('0'.repeat(32))).toBe(false);
    expect(codes.redeem(null)).toBe(false);
    now += CODE_TTL_MS + 1;
    expect(codes.redeem(b)).toBe(false);
  });

  it('keep only the last few', () => {
    const codes = new OpenCodes();
    const first = codes.issue();
    for (let i = 0; i < 8; i++) codes.issue();
    expect(codes.redeem(first)).toBe(false);
  });
});

describe('the guard', () => {
  it('lets a GET with the token in the query through, on 127.0.0.1 or localhost', () => {
    expect(ask('GET', `/?token=${TOKEN}`)).toBeUndefined();
    expect(ask('GET', `/api/stream?token=${TOKEN}`, { host: `localhost:${PORT}` })).toBeUndefined();
    expect(ask('HEAD', `/assets/app.js?token=${TOKEN}`)).toBeUndefined();
  });

  it('answers 401 without the token or with a wrong one', () => {
    for (const url of ['/', '/api/stream', '/assets/app.js', `/?token=${'b'.repeat(64)}`, '/?token=']) expect(ask('GET', url)?.status).toBe(401);
  });

  it('takes a POST token from the x-core-token header only', () => {
    expect(ask('POST', '/api/process/restart/a', { ...HOST, 'x-core-token': TOKEN })).toBeUndefined();
    const inQuery = ask('POST', `/api/process/restart/a?token=${TOKEN}`);
    expect(inQuery?.status).toBe(401);
    expect(inQuery?.error).toContain('x-core-token');
    expect(ask('POST', '/api/process/restart/a', { ...HOST, 'x-core-token': 'nope' })?.status).toBe(401);
  });

  it('refuses another Host (DNS rebinding), another port, and a missing Host, even with the token', () => {
    for (const host of ['evil.example:40123', '127.0.0.1', `127.0.0.1:${PORT + 1}`, `0.0.0.0:${PORT}`, `[::1]:${PORT}`])
      expect(ask('GET', `/?token=${TOKEN}`, { host })?.status).toBe(403);
    expect(ask('GET', `/?token=${TOKEN}`, {})?.status).toBe(403);
  });

  it('refuses a cross-origin request, even with the token', () => {
    expect(ask('POST', '/api/process/stop/a', { ...HOST, 'x-core-token': TOKEN, origin: 'http://evil.example' })?.status).toBe(403);
    expect(ask('POST', '/api/process/stop/a', { ...HOST, 'x-core-token': TOKEN, origin: `http://127.0.0.1:${PORT}` })).toBeUndefined();
  });

  it('refuses other methods', () => {
    for (const method of ['PUT', 'DELETE', 'OPTIONS', 'PATCH']) expect(ask(method, `/?token=${TOKEN}`, { ...HOST, 'x-core-token': TOKEN })?.status).toBe(405);
  });
});

describe('the files served', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
  });
  const built = () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'core-dash-'));
    dirs.push(root);
    const dir = path.join(root, 'dashboard');
    fs.mkdirSync(dir);
    fs.writeFileSync(
      path.join(dir, 'index.html'),
      '<link rel="stylesheet" href="assets/app.css"><script type="module" src="/assets/app.js"></script><a href="https://example.com/assets/x.js">x</a>',
    );
    fs.writeFileSync(path.join(dir, 'app.js'), 'console.log(1)');
    fs.writeFileSync(path.join(dir, 'app.css'), 'body{}');
    fs.writeFileSync(path.join(dir, '.hidden.js'), 'secret');
    fs.writeFileSync(path.join(root, 'secret.js'), 'secret');
    return dir;
  };

  it('gives the page with the token on its own asset links only', async () => {
    const page = await readPage(built(), TOKEN);
    expect('body' in page && page.body.toString()).toBe(
      `<link rel="stylesheet" href="/assets/app.css?token=${TOKEN}"><script type="module" src="/assets/app.js?token=${TOKEN}"></script><a href="https://example.com/assets/x.js">x</a>`,
    );
  });

  it('serves a listed file with its type', async () => {
    const dir = built();
    expect(await readAsset(dir, 'app.js')).toMatchObject({ type: 'text/javascript; charset=utf-8' });
    expect(await readAsset(dir, 'app.css')).toMatchObject({ type: 'text/css; charset=utf-8' });
  });

  it('serves nothing outside the folder, hidden, unknown or of an unknown type', async () => {
    const dir = built();
    for (const name of ['../secret.js', '..', '.hidden.js', 'missing.js', 'app.exe', 'sub/app.js', '%2e%2e/secret.js', ''])
      expect(await readAsset(dir, name)).toEqual({ missing: 'file' });
  });

  it('says the build is missing when there is no page', async () => {
    const missing = path.join(os.tmpdir(), 'core-no-such-dashboard');
    expect(await readPage(missing, TOKEN)).toEqual({ missing: 'build' });
    expect(await readAsset(missing, 'app.js')).toEqual({ missing: 'build' });
  });
});
