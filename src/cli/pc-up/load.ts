/**
 * STAND-IN for pc-load's `loadPcProject` (src/pc-project/index.ts), behind the
 * same signature so switching is one import: it reads one already-normalized
 * document (entrypoint argv, absolute working_dir, environment as KEY=value, as
 * core's own `.core-stack/process-compose.yaml` is) with ComposeDocSchema, and
 * selects PROCESS … as process-compose does (the rest disabled; with --no-deps
 * their depends_on dropped). Override files, env files and namespaces are not
 * read here: an issue names them, so nothing runs on half a project.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { ComposeDocSchema, type ComposeDoc } from '../../compose/schema.js';
import { closure } from '../../engine/dependencies.js';

export interface PcLoadOptions {
  readonly files: readonly string[];
  readonly envFiles: readonly string[];
  readonly namespaces: readonly string[];
  readonly processes: readonly string[];
  readonly noDeps: boolean;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
}
export interface PcIssue {
  readonly file: string;
  readonly path: string;
  readonly message: string;
}
export type PcLoadResult =
  | { ok: true; doc: ComposeDoc; projectDir: string; warnings: readonly PcIssue[]; secrets: Readonly<Record<string, Readonly<Record<string, string>>>> }
  | { ok: false; issues: readonly PcIssue[] };

const DEFAULT_FILES = ['compose.yml', 'compose.yaml', 'process-compose.yml', 'process-compose.yaml'];

export function loadPcProject(options: PcLoadOptions): PcLoadResult {
  const files = options.files.length
    ? options.files.map((f) => path.resolve(options.cwd, f))
    : DEFAULT_FILES.map((f) => path.join(options.cwd, f))
        .filter((f) => fs.existsSync(f))
        .slice(0, 1);
  const file = files[0];
  if (!file) return { ok: false, issues: [{ file: options.cwd, path: '', message: `no process-compose file here (looked for ${DEFAULT_FILES.join(', ')}); give one with -f` }] };
  const unsupported = [...files.slice(1).map((f) => ({ file: f, what: 'a second -f file' })), ...options.envFiles.map((f) => ({ file: f, what: 'an -e file' }))];
  if (unsupported.length) return { ok: false, issues: unsupported.map((u) => ({ file: u.file, path: '', message: `${u.what} is not read yet (stand-in loader)` })) };
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    return { ok: false, issues: [{ file, path: '', message: (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message }] };
  }
  let raw: unknown;
  try {
    raw = parse(text);
  } catch (error) {
    return { ok: false, issues: [{ file, path: '', message: `not valid YAML: ${(error as Error).message.split('\n')[0]}` }] };
  }
  const parsed = ComposeDocSchema.safeParse(raw);
  if (!parsed.success) return { ok: false, issues: parsed.error.issues.map((i) => ({ file, path: i.path.join('.'), message: i.message })) };
  const selected = select(parsed.data, options.processes, options.noDeps);
  if (!selected.ok)
    return { ok: false, issues: selected.unknown.map((name) => ({ file, path: `processes.${name}`, message: `no such process (PROCESS ${name} on the command line)` })) };
  return { ok: true, doc: selected.doc, projectDir: path.dirname(file), warnings: [], secrets: {} };
}

/** process-compose's `up A B`: A, B and what they need run; every other process is disabled. */
function select(doc: ComposeDoc, names: readonly string[], noDeps: boolean): { ok: true; doc: ComposeDoc } | { ok: false; unknown: string[] } {
  if (names.length === 0) return { ok: true, doc };
  const unknown = names.filter((n) => !doc.processes[n]);
  if (unknown.length) return { ok: false, unknown };
  const keep = new Set(noDeps ? names : closure(doc, names));
  const processes = Object.fromEntries(
    Object.entries(doc.processes).map(([name, p]) => {
      if (!keep.has(name)) return [name, { ...p, disabled: true }];
      const { depends_on: _, ...rest } = p;
      return [name, noDeps ? { ...rest, disabled: false } : { ...p, disabled: false }];
    }),
  );
  return { ok: true, doc: { ...doc, processes } };
}
