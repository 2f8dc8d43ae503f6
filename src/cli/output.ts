/** Output helpers: data to stdout, everything for humans about progress to stderr. */

/** Every --json document carries this version; bump it on an incompatible change. */
export const JSON_VERSION = 1;

export function printJson(value: object): void {
  process.stdout.write(`${JSON.stringify({ version: JSON_VERSION, ...value }, null, 2)}\n`);
}

export function print(text = ''): void {
  process.stdout.write(`${text}\n`);
}

export function note(text: string): void {
  process.stderr.write(`${text}\n`);
}
