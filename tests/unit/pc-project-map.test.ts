/**
 * The process-compose loader, part 2: a process-compose process → the ComposeDoc
 * process the built-in engine runs. Each rule from process-compose v1.122.0's source.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadFail, loadOk, pcDir } from '../helpers/pc-project.js';

describe('pc-project: mapping to ComposeDoc', () => {
  // ProcessConfig.AssignProcessExecutableAndArgs + command.DefaultShellConfig: `bash -c command`.
  it('runs command through bash -c by default', () => {
    const dir = pcDir({ 'pc.yaml': 'processes:\n  a:\n    command: echo hi\n' });
    expect(loadOk(dir, { files: ['pc.yaml'] }).doc.processes.a?.entrypoint).toEqual(['bash', '-c', 'echo hi']);
  });

  // command/command.go getRunnerShell: $COMPOSE_SHELL replaces bash when no shell is configured.
  it('uses $COMPOSE_SHELL as the default shell', () => {
    const dir = pcDir({ 'pc.yaml': 'processes:\n  a:\n    command: echo hi\n' });
    expect(loadOk(dir, { files: ['pc.yaml'], env: { COMPOSE_SHELL: 'sh' } }).doc.processes.a?.entrypoint).toEqual(['sh', '-c', 'echo hi']);
  });

  it("runs command through the project's shell.shell_command and shell_argument", () => {
    const dir = pcDir({ 'pc.yaml': 'shell:\n  shell_command: sh\n  shell_argument: -ec\nprocesses:\n  a:\n    command: echo hi\n' });
    expect(loadOk(dir, { files: ['pc.yaml'] }).doc.processes.a?.entrypoint).toEqual(['sh', '-ec', 'echo hi']);
  });

  // app/project_runner.go gives every process the project's ShellConfig; health/exec_checker.go runs the probe with it.
  it("runs exec probes through the project's shell too (x-core.probe_shell), $COMPOSE_SHELL or bash -c by default", () => {
    const probes = '    readiness_probe:\n      exec:\n        command: "true"\n    liveness_probe:\n      exec:\n        command: "true"\n';
    const own = pcDir({ 'pc.yaml': `shell:\n  shell_command: sh\n  shell_argument: -ec\nprocesses:\n  a:\n    command: x\n${probes}  b:\n    command: x\n` });
    const r = loadOk(own, { files: ['pc.yaml'] });
    expect(r.doc.processes.a?.['x-core']?.probe_shell).toEqual(['sh', '-ec']);
    expect(r.doc.processes.b?.['x-core']?.probe_shell).toBeUndefined(); // no exec probe
    const dflt = pcDir({ 'pc.yaml': `processes:\n  a:\n    command: x\n${probes}` });
    expect(loadOk(dflt, { files: ['pc.yaml'] }).doc.processes.a?.['x-core']?.probe_shell).toEqual(['bash', '-c']);
    expect(loadOk(dflt, { files: ['pc.yaml'], env: { COMPOSE_SHELL: 'sh' } }).doc.processes.a?.['x-core']?.probe_shell).toEqual(['sh', '-c']);
  });

  // validators.go validateShellConfig: exec.LookPath of the shell, always fatal.
  it('fails when the shell command is not found', () => {
    const dir = pcDir({ 'pc.yaml': 'shell:\n  shell_command: no-such-shell-here\n  shell_argument: -c\nprocesses:\n  a:\n    command: x\n' });
    expect(loadFail(dir, { files: ['pc.yaml'] })[0]?.path).toBe('shell.shell_command');
  });

  it('runs entrypoint as argv; command wins over entrypoint with a warning', () => {
    const dir = pcDir({ 'pc.yaml': 'processes:\n  a:\n    entrypoint: [node, -e, "1"]\n  b:\n    command: echo b\n    entrypoint: [x]\n' });
    const r = loadOk(dir, { files: ['pc.yaml'] });
    expect(r.doc.processes.a?.entrypoint).toEqual(['node', '-e', '1']);
    expect(r.doc.processes.b?.entrypoint).toEqual(['bash', '-c', 'echo b']);
    expect(r.warnings.map((w) => w.path)).toContain('processes.b.entrypoint');
  });

  // No working_dir: exec.Cmd.Dir is "" and the child runs in process-compose's cwd; a relative one resolves there too.
  it('resolves working_dir against cwd, defaulting to cwd', () => {
    const dir = pcDir({ 'proj/pc.yaml': 'processes:\n  a:\n    command: x\n  b:\n    command: x\n    working_dir: sub\n  c:\n    command: x\n    working_dir: /abs\n' });
    const r = loadOk(dir, { files: ['proj/pc.yaml'] });
    expect(r.doc.processes.a?.working_dir).toBe(dir);
    expect(r.doc.processes.b?.working_dir).toBe(path.join(dir, 'sub'));
    expect(r.doc.processes.c?.working_dir).toBe('/abs');
  });

  // app/environment.go buildProcessEnvironment: PC_PROC_NAME, PC_REPLICA_NUM first, then .env, OS, project environment, env_file, process environment.
  it('layers the environment as process-compose does, OS values left to the engine and file values as secrets', () => {
    const dir = pcDir({
      '.env': 'FROM_DOTENV=d\nSHADOWED=dotenv\n',
      'vars.env': 'FROM_FILE=f\nBOTH=file\n',
      'pc.yaml': [
        'environment:',
        '  - PROJECT=p',
        '  - BOTH=project',
        '  - HOME=/over',
        'processes:',
        '  a:',
        '    command: x',
        '    env_file: vars.env',
        '    environment:',
        '      - OWN=o',
        '      - FROM_FILE=own',
      ].join('\n'),
    });
    const r = loadOk(dir, { files: ['pc.yaml'], env: { SHADOWED: 'os' } });
    const a = r.doc.processes.a;
    expect(a?.environment.sort()).toEqual(['FROM_FILE=own', 'HOME=/over', 'OWN=o', 'PC_PROC_NAME=a', 'PC_REPLICA_NUM=0', 'PROJECT=p']);
    expect(r.secrets.a).toEqual({ FROM_DOTENV: 'd', BOTH: 'file' });
    expect(a?.['x-core']?.secret_env).toEqual(['BOTH', 'FROM_DOTENV']);
  });

  // godotenv expands $VAR/${VAR} in values not single-quoted, from earlier lines, then the OS environment.
  it('expands variables inside env files as godotenv does', () => {
    const dir = pcDir({ 'vars.env': 'A=1\nB=${A}-$HOME\nC=\'${A}\'\nD="x${A}"\n', 'pc.yaml': 'processes:\n  a:\n    command: x\n    env_file: vars.env\n' });
    expect(loadOk(dir, { files: ['pc.yaml'] }).secrets.a).toEqual({ A: '1', B: '1-/home/tester', C: '${A}', D: 'x1' });
  });

  // environment.go: `.env` values are skipped for a process with is_dotenv_disabled.
  it('leaves .env out of a process with is_dotenv_disabled', () => {
    const dir = pcDir({ '.env': 'X=1\n', 'pc.yaml': 'processes:\n  a:\n    command: x\n    is_dotenv_disabled: true\n' });
    expect(loadOk(dir, { files: ['pc.yaml'] }).secrets.a).toBeUndefined();
  });

  // validators.go validateProcessEnvFileExists: env_file relative to working_dir; missing is logged, fatal under is_strict.
  it('warns about a missing env_file (an error under is_strict)', () => {
    const dir = pcDir({
      'pc.yaml': 'processes:\n  a:\n    command: x\n    env_file: nope.env\n',
      's.yaml': 'is_strict: true\nprocesses:\n  a:\n    command: x\n    env_file: nope.env\n',
    });
    expect(loadOk(dir, { files: ['pc.yaml'] }).warnings.map((w) => w.path)).toContain('processes.a.env_file');
    expect(loadFail(dir, { files: ['s.yaml'] })[0]?.path).toBe('processes.a.env_file');
  });

  // ProcessDependency.Condition's zero value is ProcessConditionCompleted.
  it('maps depends_on, a missing condition being process_completed', () => {
    const dir = pcDir({
      'pc.yaml':
        'processes:\n  a:\n    command: x\n  b:\n    command: y\n    depends_on:\n      a: {}\n  c:\n    command: z\n    depends_on:\n      b: { condition: process_completed_successfully }\n',
    });
    const r = loadOk(dir, { files: ['pc.yaml'] });
    expect(r.doc.processes.b?.depends_on).toEqual({ a: { condition: 'process_completed' } });
    expect(r.doc.processes.c?.depends_on).toEqual({ b: { condition: 'process_completed_successfully' } });
  });

  it('rejects a dependency cycle, naming it', () => {
    const dir = pcDir({
      'pc.yaml': 'processes:\n  a:\n    command: x\n    depends_on: { b: {} }\n  b:\n    command: y\n    depends_on: { c: {} }\n  c:\n    command: z\n    depends_on: { a: {} }\n',
    });
    expect(loadFail(dir, { files: ['pc.yaml'] })[0]?.message).toBe('circular dependency: a → b → c → a');
  });

  // validateDependencyIsEnabled: an undefined dependency is always fatal.
  it('rejects a dependency on an undefined process', () => {
    const dir = pcDir({ 'pc.yaml': 'processes:\n  a:\n    command: x\n    depends_on: { ghost: {} }\n' });
    expect(loadFail(dir, { files: ['pc.yaml'] })[0]?.path).toBe('processes.a.depends_on.ghost');
  });

  // validateHealthDependencyHasHealthCheck: process_log_ready needs ready_log_line (fatal); process_healthy needs a probe (fatal under is_strict).
  it('checks conditions against the dependency (log_ready fatal, healthy a warning)', () => {
    const base = 'processes:\n  a:\n    command: x\n  b:\n    command: y\n    depends_on:\n      a: { condition: COND }\n';
    const dir = pcDir({ 'log.yaml': base.replace('COND', 'process_log_ready'), 'h.yaml': base.replace('COND', 'process_healthy') });
    expect(loadFail(dir, { files: ['log.yaml'] })[0]?.message).toContain('no ready log line');
    expect(loadOk(dir, { files: ['h.yaml'] }).warnings[0]?.message).toContain('no health check exists');
  });

  // validateNoIncompatibleHealthChecks: ready_log_line with a readiness probe is fatal.
  it('rejects ready_log_line together with a readiness probe', () => {
    const dir = pcDir({ 'pc.yaml': 'processes:\n  a:\n    command: x\n    ready_log_line: up\n    readiness_probe: { exec: { command: "true" } }\n' });
    expect(loadFail(dir, { files: ['pc.yaml'] })[0]?.path).toBe('processes.a.ready_log_line');
  });

  // health/probe.go ValidateAndSetDefaults + validateAndSetHttpDefaults.
  it('fills probe defaults as process-compose does (period 10, timeout 1, failures 3, 127.0.0.1, /, 200)', () => {
    const dir = pcDir({ 'pc.yaml': 'processes:\n  a:\n    command: x\n    readiness_probe:\n      http_get: { port: 8080, status_code: 500 }\n' });
    expect(loadOk(dir, { files: ['pc.yaml'] }).doc.processes.a?.readiness_probe).toEqual({
      http_get: { host: '127.0.0.1', scheme: 'http', path: '/', port: '8080', status_code: 200 },
      initial_delay_seconds: 0,
      period_seconds: 10,
      timeout_seconds: 1,
      success_threshold: 1,
      failure_threshold: 3,
    });
  });

  it("gives an http probe without a port the scheme's port, as the URL without one means", () => {
    const dir = pcDir({ 'pc.yaml': 'processes:\n  a:\n    command: x\n    liveness_probe:\n      http_get: { scheme: https, port: 99999 }\n' });
    expect(loadOk(dir, { files: ['pc.yaml'] }).doc.processes.a?.liveness_probe?.http_get?.port).toBe('443');
  });

  // copyWorkingDirToProbes: an exec probe runs in the process's working_dir unless it names its own.
  it("runs an exec probe in the process's working_dir", () => {
    const dir = pcDir({ 'pc.yaml': 'processes:\n  a:\n    command: x\n    working_dir: w\n    readiness_probe:\n      exec: { command: "test -f ok" }\n' });
    expect(loadOk(dir, { files: ['pc.yaml'] }).doc.processes.a?.readiness_probe?.exec).toEqual({ command: 'test -f ok', working_dir: path.join(dir, 'w') });
  });

  it('maps availability, shutdown, disabled, success_exit_codes, ready_log_line and log_location', () => {
    const dir = pcDir({
      'pc.yaml': [
        'processes:',
        '  a:',
        '    command: x',
        '    disabled: true',
        '    ready_log_line: listening',
        '    success_exit_codes: [143]',
        '    log_location: logs/a.log',
        '    availability: { restart: exit_on_failure, exit_on_end: true, exit_on_skipped: true, max_restarts: 0 }',
        '    shutdown: { signal: 2, parent_only: true }',
      ].join('\n'),
    });
    const a = loadOk(dir, { files: ['pc.yaml'] }).doc.processes.a;
    expect(a).toMatchObject({
      disabled: true,
      ready_log_line: 'listening',
      success_exit_codes: [143],
      log_location: path.join(dir, 'logs/a.log'),
      availability: { restart: 'exit_on_failure', exit_on_end: true, exit_on_skipped: true },
      shutdown: { signal: 2, timeout_seconds: 10, parent_only: true },
    });
    expect(a?.availability?.max_restarts).toBeUndefined();
  });

  // ValidateProcessConfig: success_exit_codes outside 0..255 (fatal under is_strict).
  it('warns about a success exit code outside 0-255', () => {
    const dir = pcDir({ 'pc.yaml': 'processes:\n  a:\n    command: x\n    success_exit_codes: [300]\n' });
    expect(loadOk(dir, { files: ['pc.yaml'] }).warnings.map((w) => w.path)).toContain('processes.a.success_exit_codes');
  });

  it('fails on a shutdown signal outside 1-31', () => {
    const dir = pcDir({ 'pc.yaml': 'processes:\n  a:\n    command: x\n    shutdown: { signal: 64 }\n' });
    expect(loadFail(dir, { files: ['pc.yaml'] })[0]?.path).toBe('processes.a.shutdown.signal');
  });

  it('names x-core.service after the process and keeps the project settings', () => {
    const dir = pcDir({ 'pc.yaml': 'name: demo\nordered_shutdown: true\nlog_level: debug\nprocesses:\n  a:\n    command: x\n' });
    const r = loadOk(dir, { files: ['pc.yaml'] });
    expect(r.doc).toMatchObject({ name: 'demo', ordered_shutdown: true, log_level: 'debug' });
    expect(r.doc.processes.a?.['x-core']?.service).toBe('a');
  });

  it('writes no env file value into the document', () => {
    const dir = pcDir({ '.env': 'TOKEN=s3cret-value\n', 'pc.yaml': 'processes:\n  a:\n    command: x\n' });
    const r = loadOk(dir, { files: ['pc.yaml'] });
    expect(JSON.stringify(r.doc)).not.toContain('s3cret-value');
    expect(fs.existsSync(path.join(dir, '.env'))).toBe(true);
  });
});
