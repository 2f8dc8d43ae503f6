/**
 * The page's files, built into `dist/dashboard/` by scripts/build.mjs: `index.html`
 * for `GET /`, the others for `GET /assets/<file>`. Only a plain file name that
 * is in that folder is served (no path, no `..`, no hidden file). The page is
 * given with the token added to its own `/assets/` links, as every request
 * needs it and an `<script src>` cannot send a header.
 */
import fs from 'node:fs/promises';
import path from 'node:path';

export interface Asset {
  readonly type: string;
  readonly body: Buffer;
}

const TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

export type Found = Asset | { readonly missing: 'build' | 'file' };

/** The page, with the token in each of its `/assets/` (or `assets/`) links. */
export async function readPage(dir: string, token: string): Promise<Found> {
  let html: string;
  try {
    html = await fs.readFile(path.join(dir, 'index.html'), 'utf8');
  } catch {
    return { missing: 'build' };
  }
  const linked = html.replace(/\b(src|href)="(?:\.?\/)?assets\/([A-Za-z0-9][A-Za-z0-9._-]*)"/g, (_, attr: string, file: string) => `${attr}="/assets/${file}?token=${token}"`);
  return { type: TYPES['.html']!, body: Buffer.from(linked) };
}

export async function readAsset(dir: string, name: string): Promise<Found> {
  const type = TYPES[path.extname(name).toLowerCase()];
  if (!NAME.test(name) || name.includes('..') || type === undefined) return { missing: 'file' };
  let names: string[];
  try {
    names = await fs.readdir(dir);
  } catch {
    return { missing: 'build' };
  }
  // Served only when listed: a name is never joined to a path the folder does not hold.
  if (!names.includes(name)) return { missing: 'file' };
  try {
    return { type, body: await fs.readFile(path.join(dir, name)) };
  } catch {
    return { missing: 'file' };
  }
}
