/**
 * Files → validated per-file projects, as process-compose's loader reads them
 * (src/loader/loader.go Load, autoDiscoverComposeFile, loadProjectFromFile,
 * loadExtendProject): env-expanded text, YAML, our zod model of its Go types,
 * unknown keys, and project-level `extends` pulled in before the file that names it.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse as parseDotenv } from 'dotenv';
import { LineCounter, parseDocument } from 'yaml';
import type { z } from 'zod';
import { expandEnv } from './expand.js';
import type { Findings } from './issues.js';
import { type PcProject, PcProjectSchema } from './schema.js';
import { checkKeys } from './unknown-keys.js';

/** loader.go DefaultFileNames / DefaultOverrideFileNames, in order of preference. */
export const DEFAULT_FILES = ['compose.yml', 'compose.yaml', 'process-compose.yml', 'process-compose.yaml'];
export const DEFAULT_OVERRIDES = ['compose.override.yml', 'compose.override.yaml', 'process-compose.override.yml', 'process-compose.override.yaml'];

export interface LoadedFile {
  readonly file: string;
  readonly project: PcProject;
}

/** autoDiscoverComposeFile: the first default name found in cwd, then the first override name. */
export function discoverFiles(files: readonly string[], cwd: string, findings: Findings): string[] {
  if (files.length > 0) return files.map((f) => path.resolve(cwd, f));
  const found = DEFAULT_FILES.map((n) => path.join(cwd, n)).filter((f) => existsSync(f));
  const first = found[0];
  if (!first) {
    findings.error(cwd, '', `no config files found in ${cwd} (looked for ${DEFAULT_FILES.join(', ')})`);
    return [];
  }
  if (found.length > 1) findings.warn(first, '', `found several config files (${found.map((f) => path.basename(f)).join(', ')}): using ${path.basename(first)}`);
  const override = DEFAULT_OVERRIDES.map((n) => path.join(cwd, n)).find((f) => existsSync(f));
  return override ? [first, override] : [first];
}

/**
 * The `-e` files as godotenv.Read merges them (a later file wins). process-compose
 * ignores a missing env file silently; a missing file named with -e gets a warning here.
 */
export function readEnvFiles(envFiles: readonly string[], cwd: string, env: Readonly<Record<string, string | undefined>>, findings: Findings): Record<string, string> {
  const explicit = envFiles.length > 0;
  const vars: Record<string, string> = {};
  for (const name of explicit ? envFiles : ['.env']) {
    const file = path.resolve(cwd, name);
    if (!existsSync(file)) {
      if (explicit) findings.warn(file, '', 'env file not found: ignored, as process-compose does');
      continue;
    }
    Object.assign(vars, readDotenv(file, env));
  }
  return vars;
}

/**
 * One env file as godotenv reads it: dotenv's parser (the same syntax), then
 * godotenv's expansion of `$VAR`/`${VAR}` in values not in single quotes, from the
 * file's earlier variables, then the OS environment. dotenv alone does not expand.
 */
export function readDotenv(file: string, env: Readonly<Record<string, string | undefined>>): Record<string, string> {
  const text = readFileSync(file, 'utf8');
  const literal = new Set([...text.matchAll(/^\s*(?:export\s+)?([\w.-]+)\s*=\s*'/gm)].map((m) => m[1]));
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(parseDotenv(text))) {
    if (literal.has(key) || !value.includes('$')) out[key] = value;
    else {
      const expanded = expandEnv(value.replaceAll('\\$', '$$$$'), (name) => out[name] ?? env[name]);
      out[key] = expanded.ok ? expanded.text : value;
    }
  }
  return out;
}

export interface ReadContext {
  readonly dotEnv: Readonly<Record<string, string>>;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly findings: Findings;
}

/** Every file, each preceded by the projects it `extends` (loadExtendProject), in merge order. */
export function readAll(files: readonly string[], ctx: ReadContext): LoadedFile[] {
  const out: LoadedFile[] = [];
  for (const file of files) {
    const chain: LoadedFile[] = [];
    let current = readOne(file, ctx);
    const seen = new Set([file]);
    while (current) {
      chain.unshift(current);
      const base = current.project.extends;
      if (!base) break;
      const target = path.resolve(path.dirname(current.file), base);
      if (seen.has(target) || files.includes(target)) {
        ctx.findings.error(current.file, 'extends', `project ${target} is already specified in files to load`);
        return out;
      }
      seen.add(target);
      const parent = readOne(target, ctx);
      if (!parent) return out;
      current = { file: parent.file, project: rebaseWorkingDirs(parent.project, path.dirname(target)) };
    }
    out.push(...chain);
  }
  return out;
}

/** copyWorkingDirToProcesses: an extended project's processes run from its own folder. */
function rebaseWorkingDirs(project: PcProject, dir: string): PcProject {
  const processes = Object.fromEntries(Object.entries(project.processes ?? {}).map(([name, proc]) => [name, { ...proc, working_dir: path.resolve(dir, proc.working_dir ?? '') }]));
  return { ...project, processes };
}

/** loadProjectFromFile: read, expand `$VAR` (unless disable_env_expansion), parse, validate. */
export function readOne(file: string, ctx: ReadContext): LoadedFile | undefined {
  let raw: string;
  try {
    raw = readFileSync(file, 'utf8');
  } catch (err) {
    ctx.findings.error(file, '', `cannot read the file: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
    return undefined;
  }
  // .env wins over the OS environment here (expanderFn), unlike in a child's environment.
  const expanded = expandEnv(raw, (name) => ctx.dotEnv[name] ?? ctx.env[name]);
  if (!expanded.ok) {
    ctx.findings.error(file, '', `line ${expanded.line}: ${expanded.message}`);
    return undefined;
  }
  let parsed = parseYaml(file, expanded.text, ctx.findings);
  if (!parsed) return undefined;
  // The expanded text is parsed first; only when it says so is the raw text parsed instead.
  if (parsed.value.disable_env_expansion === true) {
    parsed = parseYaml(file, raw, ctx.findings);
    if (!parsed) return undefined;
  }
  const result = PcProjectSchema.safeParse(parsed.value);
  if (!result.success) {
    for (const issue of result.error.issues) reportZod(file, issue, parsed.lineOf, ctx.findings);
    return undefined;
  }
  checkKeys(file, parsed.value, ctx.findings, parsed.lineOf);
  return { file, project: result.data };
}

interface Parsed {
  readonly value: Record<string, unknown>;
  readonly lineOf: (keyPath: readonly PropertyKey[]) => number | undefined;
}

function parseYaml(file: string, text: string, findings: Findings): Parsed | undefined {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, merge: true, prettyErrors: false });
  const first = doc.errors[0];
  if (first) {
    const line = first.linePos?.[0].line ?? lineCounter.linePos(first.pos[0]).line;
    findings.error(file, '', `line ${line}: YAML: ${first.message.split('\n')[0]}`);
    return undefined;
  }
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: 1000 });
  } catch (error) {
    // Parsed, but not turned into values: an alias before its anchor, a merge key (`<<`) of a scalar, an alias bomb.
    findings.error(file, '', `YAML: ${(error as Error).message.split('\n')[0]}`);
    return undefined;
  }
  if (value === null || value === undefined) return { value: {}, lineOf: () => undefined };
  if (typeof value !== 'object' || Array.isArray(value)) {
    findings.error(file, '', 'line 1: the file must be a YAML mapping (processes: …)');
    return undefined;
  }
  const lineOf = (keyPath: readonly PropertyKey[]): number | undefined => {
    for (let n = keyPath.length; n > 0; n--) {
      const node = doc.getIn(keyPath.slice(0, n) as unknown[], true) as { range?: [number, number, number] } | undefined;
      if (node?.range) return lineCounter.linePos(node.range[0]).line;
    }
    return undefined;
  };
  return { value: value as Record<string, unknown>, lineOf };
}

function reportZod(file: string, issue: z.core.$ZodIssue, lineOf: Parsed['lineOf'], findings: Findings): void {
  const keyPath = issue.path.map(String).join('.');
  const line = lineOf(issue.path);
  findings.error(file, keyPath, `${line ? `line ${line}: ` : ''}${issue.message}`);
}
