/**
 * Which changes a `process.watch` ignores. Pure. Globs are few and simple here
 * (`*`, `**`, `?`), so they are turned into regular expressions in a few lines
 * rather than adding a glob library to the dependencies; node's own
 * `path.matchesGlob` is experimental on Node 20 and warns on first use.
 */

/** Ignored whatever the manifest says: version control, installed packages, editors' scratch files (vim's `4913` write test). */
export const ALWAYS_IGNORED = ['.git', 'node_modules', '*.swp', '*.swx', '*~', '.#*', '4913'] as const;

export function globToRegExp(glob: string): RegExp {
  let source = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === '*' && glob[i + 1] === '*') {
      // `**/` matches no folder or any number of them; a final `**` matches the rest.
      if (glob[i + 2] === '/') {
        source += '(?:.*/)?';
        i += 2;
      } else {
        source += '.*';
        i += 1;
      }
    } else if (c === '*') source += '[^/]*';
    else if (c === '?') source += '[^/]';
    else source += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${source}$`);
}

/**
 * `rel` is a changed path inside a watched folder, with `/` separators. A glob
 * without `/` matches any one name along the path (`*.log`, `dist`); one with
 * `/` matches the path or a folder above it (`build/**`, `src/gen`).
 */
export function isIgnored(rel: string, globs: readonly string[]): boolean {
  const parts = rel.split('/').filter(Boolean);
  for (const glob of [...ALWAYS_IGNORED, ...globs]) {
    const trimmed = glob.replace(/^\.\//, '').replace(/\/+$/, '');
    const re = globToRegExp(trimmed);
    if (!trimmed.includes('/')) {
      if (parts.some((part) => re.test(part))) return true;
      continue;
    }
    for (let n = parts.length; n > 0; n--) if (re.test(parts.slice(0, n).join('/'))) return true;
  }
  return false;
}
