/** Flag values that need more than commander checks. */
import { InputError } from '../support/errors.js';

/** `--timeout <seconds>` → milliseconds. */
export function parseTimeout(value: string): number {
  const seconds = Number(value);
  if (!Number.isFinite(seconds) || seconds <= 0) throw new InputError('bad-flag', `--timeout: "${value}" is not a positive number of seconds`);
  return seconds * 1000;
}
