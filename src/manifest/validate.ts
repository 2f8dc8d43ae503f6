/**
 * Pure validation of manifest files: parse JSON, check the zod schema, then run
 * the cross-manifest rules. Every issue is reported at once, with file and path.
 */
import type { z } from 'zod';
import { jsonPath, type Issue } from '../support/errors.js';
import { ManifestSchema, type Manifest } from './schema.js';
import { RULES } from './rules.js';

export interface ManifestFile {
  /** Path relative to the project root, used in messages. */
  readonly file: string;
  /** The service folder name. */
  readonly dir: string;
  readonly absolute: string;
  /** undefined when the folder has no service.json. */
  readonly text: string | undefined;
}

export interface LoadedManifest {
  readonly manifest: Manifest;
  readonly file: string;
  readonly dir: string;
  readonly absolute: string;
}

export function validateManifests(files: readonly ManifestFile[]): { manifests: LoadedManifest[]; issues: Issue[] } {
  const issues: Issue[] = [];
  const manifests: LoadedManifest[] = [];
  for (const entry of files) {
    const parsed = parseManifest(entry);
    if ('issues' in parsed) issues.push(...parsed.issues);
    else manifests.push(parsed.loaded);
  }
  const services = new Set(files.map((f) => f.dir));
  for (const rule of RULES) issues.push(...rule(manifests, services));
  return { manifests: issues.length === 0 ? manifests : [], issues };
}

function parseManifest(entry: ManifestFile): { loaded: LoadedManifest } | { issues: Issue[] } {
  const { file } = entry;
  if (entry.text === undefined) return { issues: [{ file, path: '', message: 'missing: every folder under services/ needs a service.json' }] };
  let json: unknown;
  try {
    json = JSON.parse(entry.text);
  } catch (error) {
    return { issues: [{ file, path: '', message: `not valid JSON: ${describeJsonError(entry.text, error as Error)}` }] };
  }
  const result = ManifestSchema.safeParse(json);
  if (!result.success) return { issues: result.error.issues.map((issue) => zodIssue(file, issue)) };
  const loaded = { manifest: result.data, file, dir: entry.dir, absolute: entry.absolute };
  if (result.data.name !== entry.dir) {
    return { issues: [{ file, path: 'name', message: `"${result.data.name}" must equal its folder name "${entry.dir}"` }] };
  }
  return { loaded };
}

function zodIssue(file: string, issue: z.core.$ZodIssue): Issue {
  let message = issue.message;
  if (issue.code === 'unrecognized_keys') message = `unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}`;
  if (issue.code === 'invalid_key') message = `key "${String(issue.path.at(-1))}": ${issue.issues.map((i) => i.message).join('; ')}`;
  if (issue.code === 'invalid_union' && 'discriminator' in issue) message = `${message} (expected "type" to be one of path, cache, download, go-install)`;
  return { file, path: jsonPath(issue.path), message };
}

/** "Unexpected token } in JSON at position 42" → "… (line 3, column 5)". */
function describeJsonError(text: string, error: Error): string {
  const position = /position (\d+)/.exec(error.message);
  if (!position) return error.message;
  const before = text.slice(0, Number(position[1]));
  const line = before.split('\n').length;
  const column = before.length - before.lastIndexOf('\n');
  return `${error.message.replace(/ in JSON at position \d+.*$/, '')} (line ${line}, column ${column})`;
}
