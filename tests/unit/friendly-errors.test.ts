/**
 * Errors a compose user understands (issue 11 §4), through the built CLI:
 * misspelt keys, compose and process-compose terms, bare placeholders, zod's
 * wording as sentences, and what validate checks on this machine. Every
 * message stays `file: json.path: message`, exit 2, nothing written.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { makeProject, runCore } from '../helpers/cli.js';
import { closest, explainIssue, keysAt } from '../../src/manifest/suggestions.js';
import { parsePlaceholders } from '../../src/plan/placeholders.js';
import { ManifestSchema } from '../../src/manifest/schema.js';

type Edit = (m: any) => unknown;
const NATS = 'services/nats/service.json';
const API = 'services/api/service.json';
/** A user's own service, as a compose user would first write it. */
const api =
  (process: Record<string, unknown>, rest: Record<string, unknown> = {}) =>
  () => ({ name: 'api', process: { command: 'true', ...process }, ...rest });

const CASES: Array<{ name: string; edits: Record<string, Edit>; env?: Record<string, string>; lines: string[]; not?: string[] }> = [
  {
    name: 'a misspelt key in process.compose',
    edits: { nats: (m) => ((m.process.compose.depend_on = m.process.compose.depends_on ?? {}), delete m.process.compose.depends_on, m) },
    lines: [`${NATS}: process.compose: unknown key "depend_on"; did you mean "depends_on"?`],
  },
  {
    name: 'working-dir for working_dir',
    edits: { api: api({ 'working-dir': 'x' }) },
    lines: [`${API}: process: unknown key "working-dir"; did you mean "working_dir"?`],
  },
  {
    name: "compose's environment in process",
    edits: { api: api({ environment: { A: 'b' } }) },
    lines: [`${API}: process: unknown key "environment": core calls it "env"`],
  },
  {
    name: "compose's healthcheck",
    edits: { api: api({ compose: { healthcheck: {} } }) },
    lines: [`${API}: process.compose: unknown key "healthcheck": core calls it "readiness_probe"`],
  },
  {
    name: "process-compose's readiness_probe directly under process",
    edits: { api: api({ readiness_probe: {} }) },
    lines: [`${API}: process: unknown key "readiness_probe": it belongs under process.compose (process.compose.readiness_probe)`],
  },
  {
    name: "compose's service_healthy",
    edits: { nats: (m) => ((m.process.compose.depends_on = { pocketbase: { condition: 'service_healthy' } }), m), pocketbase: (m) => ((m.process.compose.depends_on = {}), m) },
    lines: [`${NATS}: process.compose.depends_on.pocketbase.condition: "service_healthy" is not one of`, 'did you mean "process_healthy"?'],
  },
  {
    name: 'env as a list',
    edits: { api: api({ env: ['A=b'] }) },
    lines: [`${API}: process.env: must be an object of NAME: value pairs`, 'not a list'],
    not: ['expected record'],
  },
  {
    name: "compose's ports list",
    edits: { api: api({}, { ports: ['8080:80'] }) },
    lines: [`${API}: ports: must be an object of named ports, like {"http": {"port": 8080, "protocol": "http"}}`, '"8080:80"', 'not a list'],
    not: ['expected record'],
  },
  {
    name: 'a command as a list',
    edits: { api: api({ command: ['node', 'server.js'] }) },
    lines: [`${API}: process.command: must be one program as a string; put its arguments in process.args`],
  },
  {
    name: 'a bare placeholder',
    edits: { api: api({ env: { FLAG: '${FEATURE_FLAG}' } }) },
    lines: [`${API}: process.env.FLAG: unknown placeholder "\${FEATURE_FLAG}"; did you mean "\${env.FEATURE_FLAG}"?`],
  },
  {
    name: 'a command with its arguments in one string',
    edits: { api: api({ command: 'node server.js' }) },
    lines: [`${API}: process.command: "node server.js" is not a program on PATH`, '"command": "node", "args": ["server.js"]'],
  },
  {
    name: 'a command that is nowhere',
    edits: { api: api({ command: 'no-such-program-core-test' }) },
    lines: [`${API}: process.command: "no-such-program-core-test" is not a program on PATH`],
  },
  {
    name: 'a command path that does not exist',
    edits: { api: api({ command: './bin/serve' }) },
    lines: [`${API}: process.command: `, 'bin/serve does not exist'],
  },
  {
    name: 'a working_dir that does not exist',
    edits: { api: api({ working_dir: 'apps/api' }) },
    lines: [`${API}: process.working_dir: `, 'apps/api does not exist (create it, or leave working_dir out to use ${data}/api)'],
  },
  {
    name: 'a port offset that pushes ports past 65535, said once',
    edits: {},
    env: { CORE_PORT_OFFSET: '60000' },
    lines: ['core: 1 problem found', 'environment: CORE_PORT_OFFSET: 60000 puts 2 ports above 65535', 'the largest offset that fits is 57313'],
    not: ['is not a URL', 'has no port'],
  },
  {
    name: 'two bad port overrides, each named',
    edits: {},
    env: { CORE_PORT_NATS_CLIENT: '70000', CORE_PORT_CADDY_HTTP: '0' },
    lines: ['CORE_PORT_CADDY_HTTP: "0" is not a whole number', 'CORE_PORT_NATS_CLIENT: "70000" is not a whole number'],
  },
];

const projects: string[] = [];
afterEach(() => {
  for (const dir of projects.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

describe('validate explains what a compose user got wrong', () => {
  it.each(CASES)('$name', async ({ edits, env, lines, not = [] }) => {
    const project = makeProject(edits);
    projects.push(project);
    const result = await runCore(['validate'], { cwd: project, env });
    expect(result.code, result.stderr).toBe(2);
    for (const line of lines) expect(result.stderr).toContain(line);
    for (const line of not) expect(result.stderr).not.toContain(line);
    expect(result.stderr).not.toMatch(/^\s+at /m);
    expect(result.stdout).toBe('');
    expect(fs.readdirSync(project)).toEqual(['services']);
  });

  it('accepts what exists: a working_dir that is there, a command on PATH, a file beside it', async () => {
    const project = makeProject({
      api: api({ command: './serve', working_dir: 'apps/api' }),
      worker: () => ({ name: 'worker', process: { command: 'sh', args: ['-c', 'true'] } }),
    });
    projects.push(project);
    fs.mkdirSync(path.join(project, 'apps/api'), { recursive: true });
    fs.writeFileSync(path.join(project, 'apps/api/serve'), '#!/bin/sh\n', { mode: 0o755 });
    const result = await runCore(['validate'], { cwd: project });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
  });
});

describe('suggestions come from the schema', () => {
  it('lists the keys allowed at a JSON path', () => {
    expect(keysAt(ManifestSchema, ['process', 'compose'], {})).toContain('depends_on');
    expect(keysAt(ManifestSchema, ['binaries', 0, 'sources', 0], { binaries: [{ sources: [{ type: 'download' }] }] })).toContain('checksums');
  });

  it('suggests within a third of the length, ignoring - and case', () => {
    expect(closest('depend_on', ['depends_on', 'readiness_probe'])).toBe('depends_on');
    expect(closest('Working-Dir', ['working_dir'])).toBe('working_dir');
    expect(closest('colour', ['name', 'process', 'ports'])).toBeUndefined();
  });

  it('finds keys inside records and union branches', () => {
    const manifest = {
      name: 'a',
      process: { command: 'true', compose: { depends_on: { db: { conditon: 'process_started' } } } },
      binaries: [{ name: 'x', version: '1.0.0', sources: [{ type: 'path', ranges: '>=1' }] }],
    };
    const messages = ManifestSchema.safeParse(manifest).error!.issues.flatMap((issue) => explainIssue(ManifestSchema, manifest, issue));
    expect(messages).toContainEqual({ path: 'process.compose.depends_on.db', message: 'unknown key "conditon"; did you mean "condition"?' });
    expect(messages).toContainEqual({ path: 'binaries[0].sources[0]', message: 'unknown key "ranges"; did you mean "range"?' });
  });

  it('lists the allowed keys when none is near', () => {
    const manifest = { name: 'a', process: { command: 'true' }, ports: { http: { port: 1, protocol: 'http', bind: 'x' } } };
    const messages = ManifestSchema.safeParse(manifest).error!.issues.flatMap((issue) => explainIssue(ManifestSchema, manifest, issue));
    expect(messages).toEqual([{ path: 'ports.http', message: 'unknown key "bind" (allowed here: port, protocol, host)' }]);
  });

  it('offers ${env.NAME} for a bare placeholder, keeping its default', () => {
    const parsed = parsePlaceholders('${PORT:-3000}');
    expect(parsed.ok ? '' : parsed.error).toContain('did you mean "${env.PORT:-3000}"?');
    const lower = parsePlaceholders('${home}');
    expect(lower.ok ? '' : lower.error).not.toContain('did you mean');
  });
});
