/**
 * The dashboard in a real browser: Debian's Chromium driven by playwright-core
 * (no browser download), against the real NATS, PocketBase and Caddy plus a
 * tiny service that prints a known line. Skipped where /usr/bin/chromium is
 * missing (.ci/run installs it).
 *
 * Waits are playwright's own (locators, waitForFunction) with bounded
 * timeouts, never sleeps. How fast the page shows a SIGKILL is measured and
 * printed, not asserted (a speed goal is no test).
 *
 * CORE_UPDATE_SCREENSHOT=1 rewrites docs/dashboard.png (the README's picture);
 * otherwise the screenshot is only taken, so CI never changes a tracked file.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runCore } from '../helpers/cli.js';
import { e2eProject, freeOffset, type E2eProject } from '../helpers/e2e.js';
import { REPO } from '../helpers/stack.js';
import { CHROMIUM, launchChromium, listeners, workerService } from './browser-helpers.js';
import { recompress } from './png.js';

// The callbacks given to page.evaluate/waitForFunction run in the page; the project's
// tsconfig has no DOM library, so its globals are declared here, for this file only.
declare const window: any;
declare const document: any;
declare const navigator: any;
declare const performance: any;
declare const MutationObserver: any;
declare const localStorage: any;

const MARKER = `dashboard-marker-${process.pid}-${Date.now().toString(36)}`;
const SCREENSHOT = path.join(REPO, 'docs/dashboard.png');
const WAIT = 15_000;

let project: E2eProject;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let url: string;
let port: number;

const row = (name: string) => page.locator(`tr[data-process="${name}"]`);
const cell = (name: string, field: string) => row(name).locator(`[data-field="${field}"]`);

async function statusPid(name: string): Promise<number> {
  const status = await project.core('status', '--json');
  expect(status.code, status.stderr).toBe(0);
  const proc = JSON.parse(status.stdout).processes.find((p: { name: string }) => p.name === name);
  expect(proc?.pid, `${name} in core status --json`).toBeGreaterThan(0);
  return proc.pid;
}

/** Wait until the page shows `name` on a pid other than `old`, and (when given) in that state or health. */
async function newPid(name: string, old: number, want: { status?: string; health?: string } = {}): Promise<number> {
  await page.waitForFunction(
    ({ name, old, want }) => {
      const r = document.querySelector(`tr[data-process="${name}"]`);
      const text = (field: string) => r?.querySelector(`[data-field="${field}"]`)?.textContent ?? '';
      return /^\d+$/.test(text('pid')) && text('pid') !== String(old) && (!want.status || text('status') === want.status) && (!want.health || text('health') === want.health);
    },
    { name, old, want },
    { timeout: WAIT },
  );
  return Number(await cell(name, 'pid').textContent());
}

describe.skipIf(!fs.existsSync(CHROMIUM))('the dashboard in Chromium', () => {
  beforeAll(async () => {
    // The page names the project after its folder: "my-app" reads better in the screenshot than a temporary name.
    const made = e2eProject(await freeOffset(), { worker: () => workerService(MARKER) });
    const dir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'core-dashboard-')), 'my-app');
    fs.renameSync(made.dir, dir);
    project = { ...made, dir, core: (...args) => runCore(args, { cwd: dir, env: made.env }) };
    const up = await project.core('up', '-d');
    expect(up.code, up.stderr).toBe(0);
    const dash = await project.core('dashboard', '--json');
    expect(dash.code, dash.stderr).toBe(0);
    ({ url, port } = JSON.parse(dash.stdout));
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?token=[0-9a-f]{64}$/);
    browser = await launchChromium();
    context = await browser.newContext({ viewport: { width: 1280, height: 800 }, colorScheme: 'light' });
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: new URL(url).origin });
    page = await context.newPage();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    if (project) {
      await project.core('down');
      fs.rmSync(path.dirname(project.dir), { recursive: true, force: true });
    }
  }, 60_000);

  it('shows the three services healthy, and takes the token out of the address bar', async () => {
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    // A CSP refusal (an inline style or script the server's policy blocks) shows up here.
    page.on('console', (message) => {
      if (message.type() === 'error') errors.push(message.text());
    });
    await page.goto(url);
    for (const name of ['nats', 'pocketbase', 'caddy', 'worker']) await expect(cell(name, 'status').textContent({ timeout: WAIT })).resolves.toContain('Running');
    for (const name of ['nats', 'pocketbase', 'caddy']) await cell(name, 'health').getByText('healthy', { exact: true }).waitFor({ timeout: WAIT });
    await page.locator('[data-connection="live"]').waitFor({ timeout: WAIT });
    expect(page.url()).not.toContain('token');
    expect(await page.evaluate(() => JSON.stringify({ ...localStorage }) + document.cookie)).not.toMatch(/[0-9a-f]{64}/);
    // The waterfall drew a bar for each, and its critical path ends at Caddy.
    await page.locator('[data-bar="caddy"]').waitFor({ timeout: WAIT });
    await expect(page.locator('.wf-path').textContent()).resolves.toMatch(/nats → pocketbase → caddy/);
    // CPU and memory arrive with the first resource reading (every 2 s).
    await page.waitForFunction(() => /MiB/.test(document.querySelector('tr[data-process="pocketbase"] [data-field="memory"]')?.textContent ?? ''), null, { timeout: WAIT });
    expect(errors).toEqual([]);
    page.removeAllListeners('console');
    // The logs follow: the newest line is in view.
    await expect(page.getByLabel('Follow').isChecked()).resolves.toBe(true);
    await page.waitForFunction(
      () => {
        const el = document.querySelector('[data-testid="log-lines"]');
        return el.scrollHeight > el.clientHeight && el.scrollHeight - el.scrollTop - el.clientHeight < 2;
      },
      null,
      { timeout: WAIT },
    );

    const shot = await page.screenshot({ type: 'png' });
    expect(shot.length).toBeGreaterThan(10_000);
    if (process.env.CORE_UPDATE_SCREENSHOT === '1') fs.writeFileSync(SCREENSHOT, recompress(shot));
  }, 60_000);

  it('shows a SIGKILLed PocketBase restart (time from kill to page printed)', async () => {
    const pid = await statusPid('pocketbase');
    await expect(cell('pocketbase', 'pid').textContent()).resolves.toBe(String(pid));
    // Note in the page when it first shows the crash (no longer Running on the old pid) and when
    // its restarts cell reads 1 (counted when the restart happens, after the 1 s back-off):
    // the page's own clock, no polling delay.
    await page.evaluate((old) => {
      const w = window as any;
      w.__seen = {};
      const observer = new MutationObserver(() => {
        const r = document.querySelector('tr[data-process="pocketbase"]');
        const now = performance.timeOrigin + performance.now();
        const status = r?.querySelector('[data-field="status"]')?.textContent ?? '';
        const pidText = r?.querySelector('[data-field="pid"]')?.textContent ?? '';
        if (w.__seen.crash === undefined && (status !== 'Running' || pidText !== String(old))) w.__seen.crash = now;
        if (w.__seen.restart === undefined && r?.querySelector('[data-field="restarts"]')?.textContent === '1') w.__seen.restart = now;
        // The problems panel, first on the page, while it waits to restart.
        const problem = document.querySelector('[data-problem="pocketbase"]');
        if (w.__seen.problem === undefined && problem) w.__seen.problem = { text: problem.textContent, first: document.querySelector('main .card')?.matches('.problems') };
        if (w.__seen.crash !== undefined && w.__seen.restart !== undefined) observer.disconnect();
      });
      observer.observe(document.body, { subtree: true, childList: true, characterData: true });
    }, pid);
    const killedAt = Date.now();
    process.kill(pid, 'SIGKILL');
    await page.waitForFunction(() => (window as any).__seen.restart !== undefined && (window as any).__seen.crash !== undefined, null, { timeout: WAIT });
    const seen: { crash: number; restart: number; problem?: { text: string; first: boolean } } = await page.evaluate(() => (window as any).__seen);
    expect(seen.problem, 'the problems panel showed pocketbase').toBeDefined();
    expect(seen.problem!.first).toBe(true);
    expect(seen.problem!.text).toMatch(/restarting.*killed by a signal/);
    // A problem while it restarts (or it is back already): then healthy again on a new pid.
    const fresh = await newPid('pocketbase', pid, { health: 'healthy' });
    const readyAt = Date.now();
    expect(fresh).toBe(await statusPid('pocketbase'));
    console.log(
      `dashboard: SIGKILL of pocketbase → the page shows it down in ${Math.round(seen.crash - killedAt)} ms, restarts 1 in ${Math.round(seen.restart - killedAt)} ms, healthy again on pid ${fresh} in ${readyAt - killedAt} ms`,
    );
    // The journal's records reached the event log.
    await page.locator('.events tr', { hasText: 'pocketbase' }).filter({ hasText: 'exited' }).first().waitFor({ timeout: WAIT });
  }, 60_000);

  it('restarts Caddy from its button: a new pid', async () => {
    const pid = await statusPid('caddy');
    await page.getByRole('button', { name: 'restart caddy', exact: true }).click();
    expect(await newPid('caddy', pid, { health: 'healthy' })).toBe(await statusPid('caddy'));
    await expect(page.locator('.banner.bad').count()).resolves.toBe(0);
  }, 60_000);

  it('finds the line the test service printed, highlighted, and copies plain text', async () => {
    await page.getByLabel('Logs of', { exact: true }).selectOption('');
    await page.getByLabel('Search the logs').fill(MARKER.slice(10));
    const hit = page.locator('[data-testid="log-lines"] mark', { hasText: MARKER.slice(10) });
    await hit.first().waitFor({ timeout: WAIT });
    await expect(page.locator('[data-testid="log-lines"] .line').count()).resolves.toBe(1);

    await page.getByRole('button', { name: 'Copy' }).click();
    await page.getByText('Copied 1 lines').waitFor({ timeout: WAIT });
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(`worker | worker: waiting for jobs (${MARKER})`);

    // One process's view copies the bare line.
    await page.getByLabel('Logs of', { exact: true }).selectOption('worker');
    await hit.first().waitFor({ timeout: WAIT });
    await page.getByRole('button', { name: 'Copy' }).click();
    await expect.poll(() => page.evaluate(() => navigator.clipboard.readText()), { timeout: WAIT }).toBe(`worker: waiting for jobs (${MARKER})`);
  }, 60_000);

  it('stops and starts a process from its buttons, and follow pauses while scrolled up', async () => {
    const pid = await statusPid('worker');
    await page.getByRole('button', { name: 'stop worker', exact: true }).click();
    await cell('worker', 'status').getByText('Completed').waitFor({ timeout: WAIT });
    // A stop the user asked for is no problem.
    await expect(page.locator('[data-problem="worker"]').count()).resolves.toBe(0);
    await page.getByRole('button', { name: 'start worker', exact: true }).click();
    await newPid('worker', pid, { status: 'Running' });

    const follow = page.getByLabel('Follow');
    await page.getByLabel('Logs of', { exact: true }).selectOption('');
    await page.getByLabel('Search the logs').fill('');
    const box = page.locator('[data-testid="log-lines"]');
    await page.waitForFunction(
      () => {
        const el = document.querySelector('[data-testid="log-lines"]');
        return el.scrollHeight > el.clientHeight * 1.5;
      },
      null,
      { timeout: WAIT },
    );
    await expect(follow.isChecked()).resolves.toBe(true);
    await box.evaluate((el) => el.scrollTo(0, 0));
    await expect.poll(() => follow.isChecked(), { timeout: WAIT }).toBe(false);
    await box.evaluate((el) => el.scrollTo(0, el.scrollHeight));
    await expect.poll(() => follow.isChecked(), { timeout: WAIT }).toBe(true);
  }, 60_000);

  // `ss -K` cuts the browser's connection to the dashboard for real (it needs root, as CI runs).
  it.skipIf(process.getuid?.() !== 0)(
    'resumes after the connection drops: no event missed, none twice',
    async () => {
      const pid = await statusPid('worker');
      // Keep the page away while something happens: its reconnects fail until the route is lifted.
      await page.route('**/api/stream**', (route) => route.abort());
      execFileSync('ss', ['-K', 'dst', '127.0.0.1', 'dport', '=', String(port)], { stdio: 'ignore' });
      await page.locator('[data-connection="reconnecting"], [data-connection="offline"]').first().waitFor({ timeout: WAIT });
      const restart = await project.core('restart', 'worker');
      expect(restart.code, restart.stderr).toBe(0);
      await page.unroute('**/api/stream**');
      await page.locator('[data-connection="live"]').waitFor({ timeout: 2 * WAIT });
      await newPid('worker', pid);
      // The records of the restart came with the resume; newest first, every seq down to 1 exactly once.
      await page.locator('.events tr', { hasText: 'worker' }).filter({ hasText: 'restart' }).first().waitFor({ timeout: WAIT });
      const seqs: number[] = await page.evaluate(() => [...document.querySelectorAll('[data-seq]')].map((el: any) => Number(el.dataset.seq)));
      expect(seqs).toEqual(Array.from({ length: seqs[0]! }, (_, i) => seqs[0]! - i));
    },
    60_000,
  );

  it('answers 401 to a wrong or missing token', async () => {
    const wrong = new URL(url);
    wrong.searchParams.set('token', '0'.repeat(64));
    expect((await fetch(wrong)).status).toBe(401);
    wrong.pathname = '/api/stream';
    expect((await fetch(wrong)).status).toBe(401);
    const none = new URL(url);
    none.search = '';
    expect((await fetch(none)).status).toBe(401);
    none.pathname = '/api/process/restart/caddy';
    expect((await fetch(none, { method: 'POST', headers: { 'x-core-token': '0'.repeat(64) } })).status).toBe(401);
  });

  it('listens on loopback only', () => {
    const bound = listeners(port);
    expect(bound.length).toBeGreaterThan(0);
    // 0100007F:PORT is 127.0.0.1 in /proc/net/tcp's little-endian hex; nothing on tcp6 (no ::, no ::ffff:…).
    for (const address of bound) expect(address).toMatch(/^0100007F:/);
  });

  it('keeps showing the last state when the whole stack is gone', async () => {
    const down = await project.core('down');
    expect(down.code, down.stderr).toBe(0);
    await page.locator('[data-connection="reconnecting"], [data-connection="offline"]').first().waitFor({ timeout: WAIT });
    await page.getByText('Connection to the stack lost').waitFor({ timeout: WAIT });
    await expect(row('caddy').count()).resolves.toBe(1);
  }, 60_000);
});
