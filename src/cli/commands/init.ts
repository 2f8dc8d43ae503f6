/**
 * `core init [dir]`: write a project beside the user's code from the templates
 * shipped with the package (templates/, schema/, .env.example). Manifests are
 * never overwritten: if one exists, nothing at all is written.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { InputError } from '../../support/errors.js';

/** One file init may write: where from (in the package) and where to (in the project). */
interface Planned {
  readonly from: string;
  readonly to: string;
  /** A manifest: its presence stops init; anything else that exists is kept as it is. */
  readonly manifest: boolean;
}

/**
 * The installed package's root: the nearest folder up from this module holding
 * templates/services (dist/ in a build or an install, src/cli/commands/ in a checkout).
 */
export function packageRoot(from = path.dirname(fileURLToPath(import.meta.url))): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, 'templates', 'services'))) return dir;
    if (path.dirname(dir) === dir) throw new Error(`core's templates/ not found above ${from}: a broken install`);
  }
}

function plan(pkg: string): Planned[] {
  const templates = path.join(pkg, 'templates', 'services');
  const manifests = fs
    .readdirSync(templates)
    .sort()
    .map((name) => ({ from: path.join(templates, name, 'service.json'), to: path.join('services', name, 'service.json'), manifest: true }));
  return [
    ...manifests,
    // The manifests' `$schema` is ../../schema/service.schema.json, as in core's checkout:
    // a relative path every editor resolves, which stays valid when the project moves.
    { from: path.join(pkg, 'schema', 'service.schema.json'), to: path.join('schema', 'service.schema.json'), manifest: false },
    { from: path.join(pkg, '.env.example'), to: '.env.example', manifest: false },
  ];
}

/** The lines of `wanted` that `.gitignore` lacks (compared without surrounding blanks or a leading `/`). */
export function missingIgnoreLines(gitignore: string, wanted: readonly string[]): string[] {
  const have = new Set(gitignore.split(/\r?\n/).map((line) => line.trim().replace(/^\//, '')));
  return wanted.filter((line) => !have.has(line) && !have.has(line.replace(/\/$/, '')));
}

export async function init(dir: string | undefined): Promise<void> {
  const root = path.resolve(dir ?? '.');
  const pkg = packageRoot();
  const files = plan(pkg);
  const taken = files.filter((file) => file.manifest && fs.existsSync(path.join(root, file.to)));
  if (taken.length)
    throw new InputError('init-exists', `${root}: already has ${taken.map((file) => file.to).join(', ')}; core init never overwrites a manifest, so nothing was written`);

  const wrote: string[] = [];
  const kept: string[] = [];
  for (const file of files) {
    const target = path.join(root, file.to);
    const content = fs.readFileSync(file.from);
    try {
      fs.mkdirSync(path.dirname(target), { recursive: true });
      // 'wx': a file that appeared since the check above is kept, never replaced.
      fs.writeFileSync(target, content, { flag: 'wx' });
      wrote.push(file.to);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== 'EEXIST')
        throw new InputError('init-write', `${target}: cannot write (${code ?? (error as Error).message})`, wrote.length ? [`written before: ${wrote.join(', ')}`] : []);
      kept.push(file.to);
    }
  }

  const gitignore = path.join(root, '.gitignore');
  const before = fs.existsSync(gitignore) ? fs.readFileSync(gitignore, 'utf8') : '';
  const wanted = fs
    .readFileSync(path.join(pkg, 'templates', 'gitignore'), 'utf8')
    .split('\n')
    .filter(Boolean);
  const missing = missingIgnoreLines(before, wanted);
  if (missing.length) {
    const separator = before === '' || before.endsWith('\n') ? '' : '\n';
    fs.appendFileSync(gitignore, `${separator}${missing.join('\n')}\n`);
  }

  const out = [`core init: a core project in ${root}`];
  for (const file of wrote) out.push(`  wrote ${file}`);
  for (const file of kept) out.push(`  kept  ${file} (exists)`);
  out.push(missing.length ? `  added to .gitignore: ${missing.join(' ')}` : '  .gitignore already ignores .dep/ .data/ .core-stack/ .env');
  const cd = root === path.resolve('.') ? '' : `cd ${root} && `;
  out.push(`next: ${cd}core up -d   (add your own service as services/<name>/service.json; check with core validate)`);
  process.stdout.write(`${out.join('\n')}\n`);
}
