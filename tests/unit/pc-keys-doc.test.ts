/**
 * docs/engines.md "Every process-compose key" stays honest: every property path
 * of process-compose's JSON Schema has a row (and no row names a key the schema
 * lacks), and every key the loader warns about (src/pc-project/unknown-keys.ts,
 * asked with a project that sets every key of the schema) is marked warned or
 * refused, and every row marked warned is one the loader does warn about.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Findings } from '../../src/pc-project/issues.js';
import { checkKeys } from '../../src/pc-project/unknown-keys.js';
import { findPcSchema, REPO } from '../helpers/stack.js';

const STATUSES = ['supported', 'differently', 'warned', 'refused', 'no effect'] as const;
type Status = (typeof STATUSES)[number];
interface Row {
  readonly status: string;
  readonly how: string;
}

const SCHEMA_FILE = findPcSchema();

/** The two tables of the section, keyed by the key as written (process keys without `processes.<name>.`). */
function readTables(): { project: Map<string, Row>; process: Map<string, Row> } {
  const text = fs.readFileSync(path.join(REPO, 'docs/engines.md'), 'utf8');
  const start = text.indexOf('\n## Every process-compose key\n');
  if (start < 0) throw new Error('docs/engines.md has no "## Every process-compose key" section');
  const rest = text.slice(start + 1);
  const end = rest.indexOf('\n## ', 3);
  const section = end < 0 ? rest : rest.slice(0, end);
  const tables = { project: new Map<string, Row>(), process: new Map<string, Row>() };
  let current: Map<string, Row> | undefined;
  for (const line of section.split('\n')) {
    if (line.startsWith('### Project level')) current = tables.project;
    else if (line.startsWith('### Process level')) current = tables.process;
    const m = /^\| `([^`]+)` \| ([^|]+?) \| (.*) \|$/.exec(line);
    if (!m || !current) continue;
    const [, key = '', status = '', how = ''] = m;
    if (current.has(key)) throw new Error(`docs/engines.md: two rows for '${key}'`);
    current.set(key, { status, how });
  }
  return tables;
}

type JsonSchema = {
  $ref?: string;
  properties?: Record<string, JsonSchema>;
  additionalProperties?: JsonSchema | boolean;
  items?: JsonSchema;
  oneOf?: JsonSchema[];
  type?: string;
  enum?: unknown[];
};

function loadSchema(file: string): { root: JsonSchema; defs: Record<string, JsonSchema> } {
  const root = JSON.parse(fs.readFileSync(file, 'utf8')) as JsonSchema & { $defs: Record<string, JsonSchema> };
  return { root, defs: root.$defs };
}

function deref(node: JsonSchema, defs: Record<string, JsonSchema>): JsonSchema {
  let n = node;
  while (n.$ref) {
    const target = defs[n.$ref.split('/').pop() ?? ''];
    if (!target) throw new Error(`unresolved ${n.$ref}`);
    n = target;
  }
  return n;
}

/** Every property path, as the table writes it: a map key is `*` (`processes.*`, `depends_on.<name>`), a list item `[]`. */
function schemaPaths(root: JsonSchema, defs: Record<string, JsonSchema>): string[] {
  const out: string[] = [];
  const walk = (node: JsonSchema, prefix: string, seen: ReadonlySet<JsonSchema>) => {
    const n = deref(node, defs);
    if (seen.has(n)) return;
    const next = new Set(seen).add(n);
    for (const [key, child] of Object.entries(n.properties ?? {})) {
      const p = prefix === '' ? key : `${prefix}.${key}`;
      out.push(p);
      walk(child, p, next);
    }
    if (typeof n.additionalProperties === 'object') {
      const ap = deref(n.additionalProperties, defs);
      if (ap.properties) walk(ap, `${prefix}.*`, next);
    }
    if (n.items) walk(n.items, `${prefix}[]`, next);
  };
  walk(root, '', new Set());
  return out;
}

/** A schema path (or a loader finding's path, `processes.p.…`) → the table and key of its row. */
function rowKey(p: string, processName = '*'): { table: 'project' | 'process'; key: string } {
  const prefix = `processes.${processName}.`;
  if (p.startsWith(prefix)) return { table: 'process', key: p.slice(prefix.length).replace('depends_on.*.', 'depends_on.<name>.') };
  return { table: 'project', key: p };
}

/** A value for every key of the schema, each set to something (the loader warns only about keys with an effect). */
function sample(node: JsonSchema, defs: Record<string, JsonSchema>, seen: ReadonlySet<JsonSchema> = new Set()): unknown {
  const n = deref(node, defs);
  if (seen.has(n)) return {};
  const next = new Set(seen).add(n);
  if (n.properties) return Object.fromEntries(Object.entries(n.properties).map(([k, v]) => [k, sample(v, defs, next)]));
  if (typeof n.additionalProperties === 'object') return { p: sample(n.additionalProperties, defs, next) };
  if (n.oneOf?.[0]) return sample(n.oneOf[0], defs, next);
  if (n.enum?.length) return n.enum[n.enum.length - 1];
  if (n.type === 'array') return n.items ? [sample(n.items, defs, next)] : ['x'];
  if (n.type === 'integer' || n.type === 'number') return 1;
  if (n.type === 'boolean') return true;
  if (n.type === 'object') return { k: 'v' };
  return 'x';
}

describe('docs/engines.md: every process-compose key', () => {
  const tables = readTables();

  it('has a project table and a process table, each row with a known status and a reason', () => {
    expect(tables.project.size).toBeGreaterThan(0);
    expect(tables.process.size).toBeGreaterThan(0);
    for (const [name, table] of Object.entries(tables)) {
      for (const [key, row] of table) {
        expect(STATUSES as readonly string[], `${name} row '${key}': status '${row.status}'`).toContain(row.status);
        expect(row.how.trim(), `${name} row '${key}' says how or why`).not.toBe('');
      }
    }
  });

  describe.skipIf(!SCHEMA_FILE)(`against process-compose's schema (${SCHEMA_FILE ?? 'not found: set CORE_TEST_PC_SCHEMA'})`, () => {
    const { root, defs } = SCHEMA_FILE ? loadSchema(SCHEMA_FILE) : { root: {}, defs: {} };

    it('has a row for every property path of the schema, and none for a key the schema lacks', () => {
      const paths = schemaPaths(root, defs);
      expect(paths.length).toBeGreaterThan(100);
      const wanted = { project: new Set<string>(), process: new Set<string>() };
      for (const p of paths) {
        if (p === 'processes.*') continue;
        const { table, key } = rowKey(p);
        wanted[table].add(key);
      }
      for (const table of ['project', 'process'] as const) {
        const missing = [...wanted[table]].filter((k) => !tables[table].has(k));
        const extra = [...tables[table].keys()].filter((k) => !wanted[table].has(k));
        expect(missing, `${table} keys of the schema without a row`).toEqual([]);
        expect(extra, `${table} rows naming no key of the schema`).toEqual([]);
      }
    });

    it('marks warned (or refused) every key the loader warns about, and only those as warned', () => {
      const project = sample(root, defs) as Record<string, unknown>;
      const findings = new Findings();
      checkKeys('pc.yaml', project, findings, () => undefined);
      expect(findings.errors).toEqual([]);
      const warned = { project: new Set<string>(), process: new Set<string>() };
      for (const issue of [...findings.strictable, ...findings.warnings]) {
        const { table, key } = rowKey(issue.path, 'p');
        warned[table].add(key);
        const row = tables[table].get(key);
        expect(row, `the loader warns about '${issue.path}' (${issue.message}): no row for '${key}'`).toBeDefined();
        expect(['warned', 'refused'] as Status[], `'${key}': the loader says "${issue.message}"`).toContain(row?.status);
      }
      expect(warned.process.size).toBeGreaterThan(10);
      // A row marked warned is warned about by the loader, itself or through the object it is in.
      for (const table of ['project', 'process'] as const) {
        for (const [key, row] of tables[table]) {
          if (row.status !== 'warned') continue;
          const segments = key.split('.');
          const ancestors = segments.map((_, i) =>
            segments
              .slice(0, i + 1)
              .join('.')
              .replace(/\[\]$/, ''),
          );
          expect(
            ancestors.some((a) => warned[table].has(a)),
            `${table} row '${key}' says warned, but the loader says nothing about it`,
          ).toBe(true);
        }
      }
    });
  });
});
