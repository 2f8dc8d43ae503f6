/**
 * Pure validation of manifest files: parse JSON, check the zod schema, then run
 * the cross-manifest rules. Every issue is reported at once, with file and path.
 */
import type { z } from 'zod';
import { jsonPath, type Issue } from '../support/errors.js';
import { findJsonError, lineColumn } from './json-error.js';
import { checkJsonLimits } from './json-limits.js';
import { ManifestSchema, type Manifest } from './schema.js';
import { RULES } from './rules.js';
import { explainIssue } from './suggestions.js';

export interface ManifestFile {
  /** Path relative to the project root, used in messages. */
  readonly file: string;
  /** The service folder name. */
  readonly dir: string;
  readonly absolute: string;
  /** undefined when the folder has no service.json, or it could not be read. */
  readonly text: string | undefined;
  /** Why the file could not be read (not a regular file, too big, not UTF-8, …). */
  readonly problem?: string;
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
  if (entry.problem !== undefined) return { issues: [{ file, path: '', message: entry.problem }] };
  if (entry.text === undefined) return { issues: [{ file, path: '', message: 'missing: every folder under services/ needs a service.json' }] };
  let json: unknown;
  try {
    json = JSON.parse(entry.text);
  } catch {
    return { issues: [{ file, path: '', message: `not valid JSON: ${describeJsonError(entry.text)}` }] };
  }
  const limits = checkJsonLimits(file, json);
  if (limits.length > 0) return { issues: limits };
  const result = ManifestSchema.safeParse(json);
  if (!result.success) return { issues: result.error.issues.flatMap((issue) => zodIssue(file, json, issue)) };
  const loaded = { manifest: result.data, file, dir: entry.dir, absolute: entry.absolute };
  if (result.data.name !== entry.dir) {
    return { issues: [{ file, path: 'name', message: `"${result.data.name}" must equal its folder name "${entry.dir}"` }] };
  }
  return { loaded };
}

function zodIssue(file: string, json: unknown, issue: z.core.$ZodIssue): Issue[] {
  if (issue.code === 'unrecognized_keys' || issue.code === 'invalid_type' || issue.code === 'invalid_value') {
    return explainIssue(ManifestSchema, json, issue).map((explained) => ({ file, ...explained }));
  }
  let message = issue.message;
  if (issue.code === 'invalid_key') message = `key "${String(issue.path.at(-1))}": ${issue.issues.map((i) => i.message).join('; ')}`;
  if (issue.code === 'invalid_union' && 'discriminator' in issue) message = `${message} (expected "type" to be one of path, cache, download, go-install)`;
  return [{ file, path: jsonPath(issue.path), message }];
}

/**
 * Position and a description, never the text: Node's own message quotes the
 * source, which may be a file a symlink pointed at (see json-error.ts).
 */
export function describeJsonError(text: string): string {
  const error = findJsonError(text);
  if (!error) return 'cannot be parsed';
  const { line, column } = lineColumn(text, error.offset);
  return `${error.message} (line ${line}, column ${column})`;
}
