/**
 * The two substitutions process-compose applies to a file: `$VAR` expansion of
 * the whole text before YAML parsing (loader.go loadProjectFromFile, with
 * drone/envsubst), and Go text/template rendering of some strings
 * (templater/templater.go). Hand-written: no npm package implements
 * drone/envsubst's or Go text/template's exact rules, and we need only the
 * subset a process-compose file uses; anything beyond it is reported, not guessed.
 */

const ESCAPED = '\u0000PC_ENV_ESCAPED\u0000';
const NAME = /^[A-Za-z_][A-Za-z0-9_]*/;

export type Lookup = (name: string) => string | undefined;

/**
 * `$$` → `$`; `$NAME`, `${NAME}`, `${NAME:-def}`, `${NAME-def}`, `${NAME:=def}`, `${NAME=def}`,
 * `${NAME:+alt}`, `${NAME+alt}`. Unset variables become "" (envsubst). A `$` not
 * followed by a name or `{` stays as it is.
 */
export function expandEnv(text: string, lookup: Lookup): { ok: true; text: string } | { ok: false; line: number; message: string } {
  const src = text.replaceAll('$$', ESCAPED);
  let out = '';
  let i = 0;
  while (i < src.length) {
    const dollar = src.indexOf('$', i);
    if (dollar < 0) {
      out += src.slice(i);
      break;
    }
    out += src.slice(i, dollar);
    const rest = src.slice(dollar + 1);
    if (rest.startsWith('{')) {
      const close = rest.indexOf('}');
      if (close < 0) return { ok: false, line: lineOf(src, dollar), message: 'unterminated ${ in environment substitution' };
      const inner = rest.slice(1, close);
      const value = braced(inner, lookup);
      if (value === undefined) return { ok: false, line: lineOf(src, dollar), message: `bad substitution \${${inner}}` };
      out += value;
      i = dollar + 2 + close;
      continue;
    }
    const name = NAME.exec(rest)?.[0];
    if (name) {
      out += lookup(name) ?? '';
      i = dollar + 1 + name.length;
    } else {
      out += '$';
      i = dollar + 1;
    }
  }
  return { ok: true, text: out.replaceAll(ESCAPED, '$') };
}

function braced(inner: string, lookup: Lookup): string | undefined {
  const name = NAME.exec(inner)?.[0];
  if (!name) return undefined;
  const op = inner.slice(name.length);
  const value = lookup(name);
  if (op === '') return value ?? '';
  const m = /^(:?)([-=+])(.*)$/s.exec(op);
  if (!m) return undefined;
  const [, colon, kind, word = ''] = m;
  const unset = value === undefined || (colon === ':' && value === '');
  if (kind === '+') return unset ? '' : word;
  return unset ? word : (value ?? '');
}

function lineOf(text: string, offset: number): number {
  return text.slice(0, offset).split('\n').length;
}

export type Vars = Readonly<Record<string, unknown>>;

/**
 * Go text/template as process-compose uses it: `{{.NAME}}` (a missing key gives
 * "<no value>", as Go prints a missing map key), `{{ "literal" }}` (the
 * documented way to write a literal `{{`), and `{{-`/`-}}` trimming. Other
 * actions (if, range, pipelines, functions) are refused with an error.
 */
export function renderTemplate(text: string, vars: Vars): { ok: true; text: string } | { ok: false; message: string } {
  let out = '';
  let i = 0;
  while (i < text.length) {
    const open = text.indexOf('{{', i);
    if (open < 0) {
      out += text.slice(i);
      break;
    }
    let before = text.slice(i, open);
    let start = open + 2;
    if (text.charAt(start) === '-' && /\s/.test(text.charAt(start + 1))) {
      before = before.replace(/\s+$/, '');
      start++;
    }
    out += before;
    const close = findClose(text.slice(start));
    if (close < 0) return { ok: false, message: `unclosed action in template "${text}"` };
    let action = text.slice(start, start + close);
    let after = start + close + 2;
    if (/\s-$/.test(action)) {
      action = action.slice(0, -1);
      while (after < text.length && /\s/.test(text.charAt(after))) after++;
    }
    const value = evalAction(action.trim(), vars);
    if (value === undefined) return { ok: false, message: `template action {{${action}}} is not supported by core (only {{.NAME}} and {{"literal"}})` };
    out += value;
    i = after;
  }
  return { ok: true, text: out };
}

/** Index of the `}}` ending an action, skipping over quoted strings. */
function findClose(body: string): number {
  let quote: string | undefined;
  for (let j = 0; j < body.length; j++) {
    const c = body.charAt(j);
    if (quote) {
      if (c === '\\' && quote === '"') j++;
      else if (c === quote) quote = undefined;
    } else if (c === '"' || c === '`') quote = c;
    else if (c === '}' && body.charAt(j + 1) === '}') return j;
  }
  return -1;
}

function evalAction(action: string, vars: Vars): string | undefined {
  if (/^"(?:[^"\\]|\\.)*"$/.test(action)) return JSON.parse(action) as string;
  if (/^`[^`]*`$/.test(action)) return action.slice(1, -1);
  const m = /^\.([A-Za-z_][A-Za-z0-9_]*)$/.exec(action);
  if (!m?.[1]) return undefined;
  if (!Object.hasOwn(vars, m[1])) return '<no value>';
  const value = vars[m[1]];
  return value === null || value === undefined ? '<no value>' : typeof value === 'object' ? JSON.stringify(value) : String(value);
}
