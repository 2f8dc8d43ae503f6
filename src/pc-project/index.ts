/**
 * Any process-compose project → one ComposeDoc the built-in engine runs, with
 * process-compose v1.122.0's loading semantics (src/loader/loader.go Load).
 * Pure apart from reading files: nothing is started, env_cmds are not run.
 * Synchronous. Imported only by `core up -f` (it pulls in zod and yaml).
 */
import { accessSync, constants } from 'node:fs';
import path from 'node:path';
import type { ComposeDoc, ComposeProcess } from '../compose/schema.js';
import { expandProcesses, renderProcesses } from './build.js';
import { Findings } from './issues.js';
import { toLogConfiguration } from './log-config.js';
import { zerologLevel } from './log-level.js';
import { mergeProjects, resolveProcessExtends } from './merge.js';
import { discoverFiles, readAll, readEnvFiles } from './read.js';
import { type Shell, toComposeProcess } from './to-compose.js';
import type { PcIssue, PcLoadOptions, PcLoadResult } from './types.js';
import { admitNamespaces, selectProcesses, validateProcesses } from './validate.js';

export type { PcIssue, PcLoadOptions, PcLoadResult } from './types.js';

export function loadPcProject(options: PcLoadOptions): PcLoadResult {
  const findings = new Findings();
  const fail = (): PcLoadResult => ({ ok: false, issues: [...findings.errors] });
  const files = discoverFiles(options.files, options.cwd, findings);
  const first = files[0];
  if (!first) return fail();
  // config.go getDisableDotEnvDefault: PC_DISABLE_DOTENV, whatever its value, turns the env files off.
  const dotEnv = options.env.PC_DISABLE_DOTENV !== undefined ? {} : readEnvFiles(options.envFiles, options.cwd, options.env, findings);
  const loaded = readAll(files, { dotEnv, env: options.env, findings });
  if (findings.errors.length > 0) return fail();
  const project = mergeProjects(loaded.map((l) => l.project));
  // Findings after the merge name the last file given (the one that wins a merge).
  const file = files[files.length - 1] ?? first;
  const processes = resolveProcessExtends(project.processes ?? {}, file, findings);
  if (findings.errors.length > 0) return fail();

  const shell = shellOf(project.shell, options.env);
  if (!findShell(shell.command, options.env, options.cwd)) findings.error(file, 'shell.shell_command', `shell command '${shell.command}' not found`);
  // loader.go Load: PC_LOG_LEVEL overrides the file's log_level.
  const logLevel = options.env.PC_LOG_LEVEL ?? project.log_level;
  const procs = expandProcesses(processes, options.env);
  if (!renderProcesses(procs, project.vars ?? {}, file, findings)) return fail();
  validateProcesses(procs, logLevel, { file, cwd: options.cwd, findings });
  const strict = project.is_strict === true;
  if (strict) findings.errors.push(...findings.strictable);
  if (findings.errors.length > 0) return fail();

  const admitted = admitNamespaces(procs, options.namespaces);
  selectProcesses(admitted, options.processes, options.noDeps, findings, file);
  if (findings.errors.length > 0) return fail();

  const ctx = { file, cwd: options.cwd, shell, env: options.env, dotEnv, projectEnv: project.environment ?? [], findings };
  const out: Record<string, ComposeProcess> = {};
  const secrets: Record<string, Record<string, string>> = {};
  for (const proc of admitted) {
    const mapped = toComposeProcess(proc, ctx);
    if (!mapped) continue;
    out[proc.name] = mapped.proc;
    if (Object.keys(mapped.secrets).length > 0) secrets[proc.name] = mapped.secrets;
  }
  if (findings.errors.length > 0) return fail();

  const projectDir = path.dirname(first);
  const level = zerologLevel(logLevel);
  // project_runner.go Run opens it relative to process-compose's working folder.
  const logLocation = project.log_location ? path.resolve(options.cwd, project.log_location) : undefined;
  const logConfiguration = logLocation ? toLogConfiguration(project.log_configuration, 'log_configuration', file, findings) : undefined;
  const doc: ComposeDoc = {
    version: '0.5',
    name: project.name || path.basename(projectDir),
    ...(level ? { log_level: level } : {}),
    ...(logLocation ? { log_location: logLocation } : {}),
    ...(logConfiguration ? { log_configuration: logConfiguration } : {}),
    // loader.go: the flag --ordered-shutdown (default: PC_ORDERED_SHUTDOWN set, whatever its value) or the file's key.
    ...(project.ordered_shutdown || options.env.PC_ORDERED_SHUTDOWN !== undefined ? { ordered_shutdown: true } : {}),
    ...(strict ? { is_strict: true } : {}),
    // How a shutdown.command runs; process commands already carry the shell in their argv.
    ...(Object.values(out).some((p) => p.shutdown?.command !== undefined) ? { shell: { shell_command: shell.command, shell_argument: shell.argument } } : {}),
    processes: out,
  };
  const warnings: PcIssue[] = [...findings.warnings, ...(strict ? [] : findings.strictable)];
  return { ok: true, doc, projectDir, warnings, secrets };
}

/** setDefaultShell / command.DefaultShellConfig: `bash -c`, or $COMPOSE_SHELL with `-c`. */
function shellOf(shell: { shell_command?: string; shell_argument?: string } | undefined, env: PcLoadOptions['env']): Shell {
  if (shell) return { command: shell.shell_command ?? '', argument: shell.shell_argument ?? '' };
  return { command: env.COMPOSE_SHELL ?? 'bash', argument: '-c' };
}

/** validateShellConfig: exec.LookPath of the shell command. */
function findShell(command: string, env: PcLoadOptions['env'], cwd: string): boolean {
  if (command === '') return false;
  const candidates = command.includes('/') ? [path.resolve(cwd, command)] : (env.PATH ?? '').split(':').map((dir) => path.join(dir || '.', command));
  return candidates.some((c) => {
    try {
      accessSync(c, constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}
