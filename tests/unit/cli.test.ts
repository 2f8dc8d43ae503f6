import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeProject, runCore } from '../helpers/cli.js';
import { REPO, TEMPLATES } from '../helpers/stack.js';
import { manifestJsonSchema } from '../../src/manifest/json-schema.js';

describe('core generate', () => {
  it('writes the stack, identical bytes twice, files 0600', async () => {
    const project = makeProject();
    const first = await runCore(['generate'], { cwd: project });
    expect(first.code, first.stderr).toBe(0);
    const file = path.join(project, '.core-stack/process-compose.yaml');
    const bytes = fs.readFileSync(file);
    expect((await runCore(['generate'], { cwd: project })).code).toBe(0);
    expect(fs.readFileSync(file).equals(bytes)).toBe(true);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(fs.statSync(path.join(project, '.core-stack')).mode & 0o777).toBe(0o700);
    expect(fs.existsSync(path.join(project, '.core-stack/nats/nats.conf'))).toBe(true);
    expect(fs.existsSync(path.join(project, '.core-stack/caddy/caddy.json'))).toBe(true);
    expect(fs.readdirSync(project).sort()).toEqual(['.core-stack', '.data', 'services']);
  });

  it('--stdout prints the YAML and writes nothing', async () => {
    const project = makeProject();
    const result = await runCore(['generate', '--stdout'], { cwd: project });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('processes:');
    expect(fs.readdirSync(project)).toEqual(['services']);
  });
});

describe('core <svc> spec and command', () => {
  it('prints the resolved ports, with overrides', async () => {
    const project = makeProject();
    const result = await runCore(['nats', 'spec'], { cwd: project, env: { CORE_PORT_NATS_CLIENT: '14222' } });
    expect(result.code, result.stderr).toBe(0);
    const { version, service } = JSON.parse(result.stdout);
    expect(version).toBe(1);
    expect(service.ports).toEqual({ client: { port: 14222, protocol: 'nats', host: '127.0.0.1' }, monitor: { port: 8222, protocol: 'http', host: '127.0.0.1' } });
    expect(service.depends_on).toEqual({});
    expect(service.readiness_probe.http_get.url).toBe('http://127.0.0.1:8222/healthz?js-enabled-only=true');
    expect(service.binaries[0]).toMatchObject({ name: 'nats-server', path: path.join(project, '.dep/nats-server') });
  });

  it('redacts secret env in spec', async () => {
    const project = makeProject({ caddy: (m) => ((m.process.env.API_TOKEN = '${env.TOKEN}'), m) });
    const spec = await runCore(['caddy', 'spec'], { cwd: project, env: { TOKEN: 'tok-abcdef' } });
    expect(spec.code, spec.stderr).toBe(0);
    expect(JSON.parse(spec.stdout).service.env.API_TOKEN).toBe('<redacted>');
    expect(spec.stdout).not.toContain('tok-abcdef');
  });

  it('prints the argv of pocketbase', async () => {
    const project = makeProject();
    const result = await runCore(['pocketbase', 'command'], { cwd: project });
    expect(result.stdout.trim()).toBe(
      `${project}/.dep/pocketbase serve --http 127.0.0.1:8090 --dir ${project}/.data/pocketbase --hooksDir ${project}/.core-stack/pocketbase/pb_hooks --hooksWatch=false --dev=false --migrationsDir ${project}/.core-stack/pocketbase/pb_migrations`,
    );
  });
});

describe('usage', () => {
  it('--help exits 0 and lists the service commands', async () => {
    const result = await runCore(['--help'], { cwd: makeProject() });
    expect(result.code).toBe(0);
    for (const word of ['validate', 'generate', 'schema', 'deps', 'nats', 'pocketbase', 'caddy']) expect(result.stdout).toContain(word);
  });

  it('an unknown command or flag exits 2 without a stack trace', async () => {
    const project = makeProject();
    for (const args of [['frobnicate'], ['generate', '--frob'], ['nats', 'nope']]) {
      const result = await runCore(args, { cwd: project });
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(/error: (unknown|too many)/);
      expect(result.stderr).not.toMatch(/^\s+at /m);
    }
  });

  it('a bad setting exits 2 naming the variable', async () => {
    const result = await runCore(['validate'], { cwd: makeProject(), env: { CORE_ENGINE: 'docker' } });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('CORE_ENGINE: "docker" is not one of builtin, process-compose');
  });

  it('refuses an unknown engine, from the flag or CORE_ENGINE, before starting anything', async () => {
    const project = makeProject();
    const flag = await runCore(['up', '-d', '--engine', 'docker'], { cwd: project });
    expect(flag.code).toBe(2);
    expect(flag.stderr).toContain('--engine: "docker" is not one of builtin, process-compose');
    const setting = await runCore(['up', '-d'], { cwd: project, env: { CORE_ENGINE: 'docker' } });
    expect(setting.code).toBe(2);
    expect(setting.stderr).toContain('CORE_ENGINE: "docker" is not one of builtin, process-compose');
    expect(fs.readdirSync(project)).toEqual(['services']);
  });

  it('with --json, a failure is a JSON document on stdout too', async () => {
    const project = makeProject({ nats: (m) => ((m.ports.client.port = 0), m) });
    const result = await runCore(['validate', '--json'], { cwd: project });
    expect(result.code).toBe(2);
    expect(JSON.parse(result.stdout)).toMatchObject({ version: 1, ok: false, error: { reason: 'invalid-input', details: [expect.stringContaining('ports.client.port')] } });
  });

  it('a reader that closes the pipe early is not an error (core schema | head -1)', async () => {
    const { spawn } = await import('node:child_process');
    const { CORE } = await import('../helpers/cli.js');
    const child = spawn(process.execPath, [CORE, 'schema'], { cwd: makeProject(), stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.destroy();
    let stderr = '';
    child.stderr.on('data', (chunk) => (stderr += chunk));
    const code = await new Promise((resolve) => child.on('exit', resolve));
    expect(code).toBe(0);
    expect(stderr).toBe('');
  });

  it('core logs shows the services of the last stack, not leftovers of removed ones', async () => {
    const project = makeProject();
    const logs = path.join(project, '.core-stack/logs');
    fs.mkdirSync(logs, { recursive: true });
    for (const [name, line] of [
      ['nats', 'nats line'],
      ['gone', 'old service line'],
      ['core', 'supervisor line'],
    ])
      fs.writeFileSync(path.join(logs, `${name}.log`), `${line}\n`);
    fs.writeFileSync(
      path.join(project, '.core-stack/state.json'),
      JSON.stringify({ version: 1, engine: 'builtin', supervisor: { pid: 999999 }, socket: 'core.sock', ports: { nats: {}, caddy: {} }, processes: {} }),
    );
    const result = await runCore(['logs'], { cwd: project });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toBe('nats line\n');
    expect((await runCore(['logs', 'gone'], { cwd: project })).code).toBe(2);
  });

  it('reads .env, and the environment wins over it', async () => {
    const project = makeProject();
    fs.writeFileSync(path.join(project, '.env'), 'CORE_PORT_OFFSET=100\nCORE_PORT_NATS_CLIENT=5000\n');
    const result = await runCore(['nats', 'spec'], { cwd: project, env: { CORE_PORT_NATS_CLIENT: '6000' } });
    const { service } = JSON.parse(result.stdout);
    expect(service.ports.client.port).toBe(6000);
    expect(service.ports.monitor.port).toBe(8322);
  });
});

describe('the JSON Schema', () => {
  it('shipped copy is up to date (regenerate: ./core schema > schema/service.schema.json)', () => {
    expect(fs.readFileSync(path.join(REPO, 'schema/service.schema.json'), 'utf8')).toBe(manifestJsonSchema());
  });

  it('is what every template manifest points to (core init writes it to schema/ of the project)', () => {
    for (const dir of fs.readdirSync(TEMPLATES)) {
      const manifest = JSON.parse(fs.readFileSync(path.join(TEMPLATES, dir, 'service.json'), 'utf8'));
      expect(path.resolve('/project/services', dir, manifest.$schema)).toBe('/project/schema/service.schema.json');
    }
  });

  it('core schema prints it', async () => {
    const result = await runCore(['schema'], { cwd: makeProject() });
    expect(result.stdout).toBe(manifestJsonSchema());
  });
});
