/**
 * Does an archive entry stay inside the folder it would be extracted to? Pure.
 * Only one member is ever written, but an archive holding an entry that escapes is
 * refused whole: it was made by mistake or by an attacker, either way not trusted.
 */
import path from 'node:path';

/** Entry names as archives write them: `./a/b`, `a/b/` for folders, `\` from Windows zips. */
export function normalizeEntryName(name: string): string {
  const slashed = name.replace(/\\/g, '/');
  const normalized = path.posix.normalize(slashed).replace(/\/+$/, '');
  return normalized === '.' ? '' : normalized.replace(/^\.\//, '');
}

function isAbsolute(name: string): boolean {
  const slashed = name.replace(/\\/g, '/');
  return slashed.startsWith('/') || /^[A-Za-z]:/.test(slashed);
}

function outside(normalized: string): boolean {
  return normalized === '..' || normalized.startsWith('../');
}

/** Why an entry's own name escapes the target, or undefined if it is safe. */
export function unsafeEntryName(name: string): string | undefined {
  if (isAbsolute(name)) return `absolute path "${name}"`;
  if (outside(normalizeEntryName(name))) return `path "${name}" leaves the target folder`;
  return undefined;
}

/** Why a symlink `name → linkTarget` points out of the target, or undefined. */
export function unsafeSymlink(name: string, linkTarget: string): string | undefined {
  if (isAbsolute(linkTarget)) return `symlink "${name}" points to absolute path "${linkTarget}"`;
  const resolved = path.posix.normalize(path.posix.join(path.posix.dirname(normalizeEntryName(name)), linkTarget.replace(/\\/g, '/')));
  if (outside(resolved)) return `symlink "${name}" points out of the target folder ("${linkTarget}")`;
  return undefined;
}

/** Why a hard link `name → linkTarget` (relative to the archive root) escapes, or undefined. */
export function unsafeHardLink(name: string, linkTarget: string): string | undefined {
  if (isAbsolute(linkTarget) || outside(normalizeEntryName(linkTarget))) {
    return `hard link "${name}" points out of the target folder ("${linkTarget}")`;
  }
  return undefined;
}
