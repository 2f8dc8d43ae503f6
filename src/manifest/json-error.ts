/**
 * Where and why a text is not JSON, without quoting it. Node's own messages
 * quote the source ("Unexpected token 'r', "root:$y$j9"... is not valid JSON"),
 * which would echo the first bytes of whatever a symlinked service.json points
 * at, and some carry no position at all; no installed library locates a JSON
 * error without echoing the source. So: a small scanner, run only after
 * JSON.parse failed. It keeps its own stack (no recursion), so nesting depth
 * cannot overflow it.
 */

export interface JsonError {
  /** Index into the text (UTF-16 code units) where the error is. */
  readonly offset: number;
  /** A description that never contains the text itself. */
  readonly message: string;
}

type Expect = 'value' | 'value-or-close' | 'key' | 'key-or-close' | 'colon' | 'comma-or-close' | 'end';

const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const LITERALS = ['true', 'false', 'null'];

export function findJsonError(text: string): JsonError | undefined {
  const stack: string[] = [];
  let expect: Expect = 'value';
  let i = 0;
  const fail = (message: string): JsonError => ({ offset: i, message });
  const afterValue = (): Expect => (stack.length === 0 ? 'end' : 'comma-or-close');
  for (;;) {
    while (i < text.length && ' \t\n\r'.includes(text[i]!)) i += 1;
    if (i >= text.length) return expect === 'end' ? undefined : fail('unexpected end of file');
    const c = text[i]!;
    switch (expect) {
      case 'end':
        return fail('unexpected text after the JSON value');
      case 'colon':
        if (c !== ':') return fail("expected ':' after a property name");
        i += 1;
        expect = 'value';
        continue;
      case 'comma-or-close': {
        const close = stack.at(-1) === '{' ? '}' : ']';
        if (c === ',') expect = close === '}' ? 'key' : 'value';
        else if (c === close) {
          stack.pop();
          expect = afterValue();
        } else return fail(`expected ',' or '${close}'`);
        i += 1;
        continue;
      }
      case 'key':
      case 'key-or-close':
        if (c === '}' && expect === 'key-or-close') {
          stack.pop();
          i += 1;
          expect = afterValue();
          continue;
        }
        if (c !== '"') return fail(expect === 'key' ? 'expected a property name in double quotes (no trailing comma)' : 'expected a property name in double quotes');
        {
          const error = skipString();
          if (error) return error;
        }
        expect = 'colon';
        continue;
      case 'value':
      case 'value-or-close': {
        if (c === ']' && expect === 'value-or-close') {
          stack.pop();
          i += 1;
          expect = afterValue();
          continue;
        }
        if (c === '{' || c === '[') {
          stack.push(c);
          i += 1;
          expect = c === '{' ? 'key-or-close' : 'value-or-close';
          continue;
        }
        if (c === '"') {
          const error = skipString();
          if (error) return error;
          expect = afterValue();
          continue;
        }
        NUMBER.lastIndex = i;
        const number = NUMBER.exec(text);
        const literal = LITERALS.find((word) => text.startsWith(word, i));
        if (number) i += number[0].length;
        else if (literal) i += literal.length;
        else return fail(c === ']' && stack.at(-1) === '[' ? 'expected a value (no trailing comma)' : 'expected a value');
        expect = afterValue();
        continue;
      }
    }
  }

  function skipString(): JsonError | undefined {
    const start = i;
    for (i += 1; i < text.length; i += 1) {
      const code = text.charCodeAt(i);
      if (code === 0x22) {
        i += 1;
        return undefined;
      }
      if (code < 0x20) return fail('control character in a string (write it as an escape: \\n, \\t, \\u0000)');
      if (code === 0x5c) {
        const next = text[i + 1];
        if (next === 'u' && /^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) i += 5;
        else if (next !== undefined && '"\\/bfnrt'.includes(next)) i += 1;
        else return fail('bad escape in a string');
      }
    }
    i = start;
    return fail('unterminated string');
  }
}

/** 1-based line and column of an offset, for messages. */
export function lineColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  return { line, column: offset - before.lastIndexOf('\n') };
}
