/**
 * The process-compose loader, part 3: `$VAR` expansion of the file
 * (loader.go loadProjectFromFile, drone/envsubst) and `{{.NAME}}` templates
 * (templater/templater.go RenderProcess).
 */
import { describe, expect, it } from 'vitest';
import { expandEnv, renderTemplate } from '../../src/pc-project/expand.js';
import { loadFail, loadOk, pcDir } from '../helpers/pc-project.js';

const cmd = (dir: string, options = {}) => loadOk(dir, { files: ['pc.yaml'], ...options }).doc.processes.a?.entrypoint[2];

describe('pc-project: $VAR expansion', () => {
  it('expands $VAR and ${VAR} from the OS environment; an unset one becomes empty', () => {
    const dir = pcDir({ 'pc.yaml': 'processes:\n  a:\n    command: echo $HOME ${HOME}/x [$UNSET_ONE]\n' });
    expect(cmd(dir)).toBe('echo /home/tester /home/tester/x []');
  });

  // loadProjectFromFile: `$$` is swapped out before envsubst and back to `$` after.
  it('turns $$ into a literal $', () => {
    const dir = pcDir({ 'pc.yaml': 'processes:\n  a:\n    command: echo $$HOME $${HOME}\n' });
    expect(cmd(dir)).toBe('echo $HOME ${HOME}');
  });

  // expanderFn: the .env value wins over the OS environment at load (unlike in a child's environment).
  it('looks variables up in the env files before the OS environment', () => {
    const dir = pcDir({ '.env': 'HOME=/from-dotenv\n', 'pc.yaml': 'processes:\n  a:\n    command: echo $HOME\n' });
    expect(cmd(dir)).toBe('echo /from-dotenv');
  });

  it('reads -e env files in order, a later one winning', () => {
    const dir = pcDir({ 'one.env': 'V=1\n', 'two.env': 'V=2\n', 'pc.yaml': 'processes:\n  a:\n    command: echo $V\n' });
    expect(cmd(dir, { envFiles: ['one.env', 'two.env'] })).toBe('echo 2');
  });

  // config.go getDisableDotEnvDefault: PC_DISABLE_DOTENV set turns the env files off.
  it('reads no env file when PC_DISABLE_DOTENV is set', () => {
    const dir = pcDir({ '.env': 'V=dot\n', 'pc.yaml': 'processes:\n  a:\n    command: echo [$V]\n' });
    expect(cmd(dir, { env: { PC_DISABLE_DOTENV: '' } })).toBe('echo []');
    expect(cmd(dir)).toBe('echo [dot]');
  });

  it('does not expand from a process environment (process-compose issue #120)', () => {
    const dir = pcDir({ 'pc.yaml': 'processes:\n  a:\n    command: echo [$MINE]\n    environment: [MINE=1]\n' });
    expect(cmd(dir)).toBe('echo []');
  });

  it('supports the ${VAR:-default} forms of envsubst', () => {
    expect(expandEnv('${A:-x} ${B-y} ${E:-z} ${E-w} ${A:+set}', (n) => ({ A: 'a', E: '' })[n])).toEqual({ ok: true, text: 'a y z  set' });
  });

  it('reports an unterminated ${ with its line', () => {
    const dir = pcDir({ 'pc.yaml': 'processes:\n  a:\n    command: echo ${HOME\n' });
    expect(loadFail(dir, { files: ['pc.yaml'] })[0]?.message).toMatch(/^line 3: unterminated/);
  });

  // loadProjectFromFile: with disable_env_expansion the raw text is parsed again.
  it('leaves the file as written with disable_env_expansion', () => {
    const dir = pcDir({ 'pc.yaml': 'disable_env_expansion: true\nprocesses:\n  a:\n    command: echo $HOME $$X\n' });
    expect(cmd(dir)).toBe('echo $HOME $$X');
  });
});

describe('pc-project: templates', () => {
  it('renders project and process vars in command, process vars winning', () => {
    const dir = pcDir({ 'pc.yaml': 'vars:\n  A: project\n  B: project\nprocesses:\n  a:\n    vars: { B: process }\n    command: echo {{.A}} {{ .B }}\n' });
    expect(cmd(dir)).toBe('echo project process');
  });

  // RenderProcess: PC_REPLICA_NUM is always a var.
  it('renders PC_REPLICA_NUM and probe fields', () => {
    const dir = pcDir({
      'pc.yaml':
        'processes:\n  a:\n    command: x\n    replicas: 2\n    readiness_probe:\n      http_get:\n        port: "80{{.PC_REPLICA_NUM}}"\n        path: /{{.PC_REPLICA_NUM}}\n',
    });
    const r = loadOk(dir, { files: ['pc.yaml'] });
    expect(r.doc.processes['a-1']?.readiness_probe?.http_get).toMatchObject({ port: '801', path: '/1' });
  });

  it('renders working_dir, environment and exec probes', () => {
    const dir = pcDir({
      'pc.yaml':
        'vars: { D: sub, V: val }\nprocesses:\n  a:\n    command: x\n    working_dir: "{{.D}}"\n    environment: ["K={{.V}}"]\n    liveness_probe:\n      exec: { command: "test {{.V}}" }\n',
    });
    const a = loadOk(dir, { files: ['pc.yaml'] }).doc.processes.a;
    expect(a?.working_dir).toBe(`${dir}/sub`);
    expect(a?.environment).toContain('K=val');
    expect(a?.liveness_probe?.exec?.command).toBe('test val');
  });

  it('leaves command alone with is_template_disabled (probes are still rendered)', () => {
    const dir = pcDir({ 'pc.yaml': 'vars: { V: v }\nprocesses:\n  a:\n    command: echo {{.V}}\n    is_template_disabled: true\n' });
    expect(cmd(dir)).toBe('echo {{.V}}');
  });

  // Go's text/template prints a missing map key as "<no value>"; {{"{{"}} writes a literal.
  it('prints a missing var as <no value> and a quoted string literally', () => {
    expect(renderTemplate('[{{.NOPE}}] {{ "{{.X}}" }}', {})).toEqual({ ok: true, text: '[<no value>] {{.X}}' });
  });

  it('fails naming the process on a template it cannot render', () => {
    const dir = pcDir({ 'pc.yaml': 'processes:\n  a:\n    command: echo {{ if .X }}y{{ end }}\n' });
    expect(loadFail(dir, { files: ['pc.yaml'] })[0]?.path).toBe('processes.a.command');
  });
});
