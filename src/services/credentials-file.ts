/**
 * Generated per-stack credentials on disk: `<data>/secrets/<service>.password`,
 * one 0600 file in a 0700 folder. Created once and kept (under `.data/`, which
 * `down` never deletes), so clients configured with it keep working across
 * `down` and `up`. The value is never printed, never on a command line, and
 * never written anywhere else in clear: the server reads it from its own
 * environment. Messages name the file, never its content.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { LoadedManifest } from '../manifest/validate.js';
import { AUTH_USER, authMode, type StackCredentials } from '../plan/auth.js';
import { lazyCrypto } from '../support/builtins.js';
import { InputError } from '../support/errors.js';
import type { Settings } from '../support/settings.js';

// nats-server parses a `$VAR` value as config syntax: a value that starts with
// a letter and holds only letters and digits always stays a plain string.
const PASSWORD = /^[A-Za-z][A-Za-z0-9]{15,}$/;

export function credentialsFile(dataDir: string, service: string): string {
  return path.join(dataDir, 'secrets', `${service}.password`);
}

/** Credentials of every service whose manifest asks for them (read, or created the first time). */
export function loadCredentials(manifests: readonly LoadedManifest[], settings: Settings): StackCredentials {
  const credentials: Record<string, { user: string; password: string }> = {};
  for (const { manifest } of manifests) {
    if (authMode(manifest) !== 'user-password') continue;
    credentials[manifest.name] = { user: AUTH_USER, password: readOrCreate(credentialsFile(settings.dataDir, manifest.name)) };
  }
  return credentials;
}

/** The password kept in `file`, created (0600, in a 0700 folder) the first time. */
export function readOrCreate(file: string): string {
  try {
    fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    ownedPrivately(path.dirname(file), 0o700);
    const existing = readExisting(file);
    if (existing !== undefined) return existing;
    const password = `p${lazyCrypto().randomBytes(24).toString('hex')}`;
    // Write aside, then link: the file appears whole, and a second `core`
    // creating it at the same moment gets EEXIST and reads the winner's.
    const temporary = `${file}.${process.pid}.tmp`;
    fs.rmSync(temporary, { force: true });
    fs.writeFileSync(temporary, `${password}\n`, { mode: 0o600, flag: 'wx' });
    try {
      fs.linkSync(temporary, file);
      return password;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      return readExisting(file)!;
    } finally {
      fs.rmSync(temporary, { force: true });
    }
  } catch (error) {
    if (error instanceof InputError) throw error;
    throw new InputError('credentials-file', `${file}: cannot read or create the generated password: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
}

function readExisting(file: string): string | undefined {
  let text: string;
  try {
    ownedPrivately(file, 0o600);
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  const password = text.trim();
  if (!PASSWORD.test(password)) {
    throw new InputError('credentials-file', `${file}: not a usable password (16 or more letters and digits, starting with a letter); delete the file to generate a new one`);
  }
  return password;
}

/** Refuse a file someone else owns; tighten a mode that lets others in. */
function ownedPrivately(file: string, mode: number): void {
  const stat = fs.lstatSync(file);
  const uid = process.getuid?.();
  if (stat.isSymbolicLink()) throw new InputError('credentials-file', `${file}: is a symbolic link; the generated password must be a plain file`);
  if (uid !== undefined && stat.uid !== uid) throw new InputError('credentials-file', `${file}: belongs to uid ${stat.uid}, not to you (uid ${uid})`);
  if ((stat.mode & 0o077) !== 0) fs.chmodSync(file, mode);
}
