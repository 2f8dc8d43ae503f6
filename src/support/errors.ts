/**
 * One error hierarchy for everything a user can cause or meet. The CLI boundary
 * (src/cli/run.ts) is the only place that turns these into a message and an exit
 * status; anything else that escapes is a bug and is shown with its stack.
 */

export const ExitCode = {
  ok: 0,
  runtime: 1,
  badInput: 2,
  interrupted: 130,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** A problem found in an input file: `file: json.path: message`. */
export interface Issue {
  readonly file: string;
  /** JSON path inside the file, like `process.env.FOO`; empty for the whole file. */
  readonly path: string;
  readonly message: string;
}

export function formatIssue(issue: Issue): string {
  return issue.path ? `${issue.file}: ${issue.path}: ${issue.message}` : `${issue.file}: ${issue.message}`;
}

/** Render a JSON path from zod-style segments: `a.b[0].c`, quoting odd keys. */
export function jsonPath(segments: readonly PropertyKey[]): string {
  let out = '';
  for (const segment of segments) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else {
      const key = String(segment);
      out += /^[A-Za-z_$][\w$-]*$/.test(key) ? (out ? `.${key}` : key) : `[${JSON.stringify(key)}]`;
    }
  }
  return out;
}

export abstract class CoreError extends Error {
  abstract readonly exitCode: ExitCode;
  /** A stable machine-readable reason, for `--json` output and tests. */
  abstract readonly reason: string;
  /** Extra lines shown under the message (e.g. every validation issue). */
  readonly details: readonly string[];

  constructor(message: string, details: readonly string[] = []) {
    super(message);
    this.name = new.target.name;
    this.details = details;
  }
}

/** Bad usage or bad input: a manifest, a placeholder, a flag, a setting, a port clash. Exit 2. */
export class InputError extends CoreError {
  readonly exitCode = ExitCode.badInput;
  constructor(
    readonly reason: string,
    message: string,
    details: readonly string[] = [],
  ) {
    super(message, details);
  }
}

/** Several input problems found at once (validation reports everything). Exit 2. */
export class IssuesError extends InputError {
  constructor(
    readonly issues: readonly Issue[],
    summary = `${issues.length} problem${issues.length === 1 ? '' : 's'} found`,
  ) {
    super('invalid-input', summary, issues.map(formatIssue));
  }
}

/** Something failed at run time: a service did not become healthy, a download failed. Exit 1. */
export class RuntimeError extends CoreError {
  readonly exitCode = ExitCode.runtime;
  constructor(
    readonly reason: string,
    message: string,
    details: readonly string[] = [],
  ) {
    super(message, details);
  }
}

/** Ends a switch over a union: a compile error if a case is missing. */
export function unreachable(value: never): never {
  throw new Error(`unreachable: ${JSON.stringify(value)}`);
}
