/**
 * Keys a file has that process-compose does not know (validateProject,
 * ProcessConfig.ValidateProcessConfig: an error under `is_strict`, else logged),
 * keys it ignores silently (unknown keys inside nested objects: yaml.v3 without
 * KnownFields; we warn), and keys process-compose honours that core's engine
 * does not (a warning, an error under `is_strict`: never dropped silently).
 */
import type { Findings } from './issues.js';
import { PROCESS_KEYS, PROJECT_KEYS } from './schema.js';

type LineOf = (keyPath: readonly PropertyKey[]) => number | undefined;

/** Known keys of nested objects (health/probe.go, types/process.go, command/config.go). */
const NESTED: Record<string, readonly string[]> = {
  availability: ['restart', 'backoff_seconds', 'max_restarts', 'exit_on_end', 'exit_on_skipped'],
  shutdown: ['command', 'timeout_seconds', 'signal', 'parent_only', 'send_keys'],
  readiness_probe: ['exec', 'http_get', 'initial_delay_seconds', 'period_seconds', 'timeout_seconds', 'success_threshold', 'failure_threshold'],
  liveness_probe: ['exec', 'http_get', 'initial_delay_seconds', 'period_seconds', 'timeout_seconds', 'success_threshold', 'failure_threshold'],
  exec: ['command', 'working_dir'],
  http_get: ['host', 'path', 'scheme', 'port', 'num_port', 'headers', 'status_code'],
  shell: ['shell_command', 'shell_argument', 'elevated_shell_command', 'elevated_shell_argument'],
  log_configuration: ['rotation', 'fields_order', 'disable_json', 'timestamp_format', 'no_color', 'no_metadata', 'add_timestamp', 'flush_each_line'],
  rotation: ['directory', 'filename', 'max_size_mb', 'max_backups', 'max_age_days', 'compress'],
};

/** Project keys process-compose acts on and core's engine does not. */
const PROJECT_UNSUPPORTED: Record<string, string> = {
  log_length: 'core keeps its own log buffer',
  env_cmds: 'the commands are not run, their variables are not set',
  mcp_server: 'core has no MCP server',
};

/** Process keys process-compose acts on and core's engine does not. */
const PROCESS_UNSUPPORTED: Record<string, string> = {
  schedule: 'the process is not scheduled (cron/interval)',
  watch: "process-compose's file watch is not armed",
  is_tty: 'no pseudo-terminal is allocated',
  is_interactive: 'no pseudo-terminal or stdin is attached',
  is_elevated: 'the process is not run through sudo',
  is_foreground: 'foreground processes need the TUI: the process is left Disabled',
  mcp: 'core has no MCP server',
  truncate_log: 'the log is not truncated',
  monitor_for: 'TUI notifications do not exist in core',
  monitor_silence_threshold: 'TUI notifications do not exist in core',
  disable_ansi_colors: 'output is passed as it is',
  'shutdown.send_keys': 'no keys are sent (no pseudo-terminal)',
};

export function checkKeys(file: string, value: Record<string, unknown>, findings: Findings, lineOf: LineOf): void {
  const at = (keyPath: readonly string[]) => {
    const line = lineOf(keyPath);
    return line ? `line ${line}: ` : '';
  };
  for (const [key, v] of Object.entries(value)) {
    if (key.startsWith('x-')) continue;
    if (!PROJECT_KEYS.has(key)) findings.strict(file, key, `${at([key])}unknown field '${key}' in project file`);
    else if (key in PROJECT_UNSUPPORTED && set(v)) findings.strict(file, key, `${at([key])}'${key}' is not supported by core's engine: ${PROJECT_UNSUPPORTED[key]}`);
  }
  nested(file, ['shell'], value.shell, findings, at);
  nested(file, ['log_configuration'], value.log_configuration, findings, at);
  const processes = value.processes;
  if (!isObject(processes)) return;
  for (const [name, proc] of Object.entries(processes)) {
    // The name becomes a log file name (<logs>/<name>.log) and a path segment of core's API.
    if (name === '' || name === '.' || name === '..' || /[/\\\0]/.test(name))
      findings.error(file, `processes.${name}`, `${at(['processes', name])}process name '${name}' cannot contain '/' or be '.' or '..'`);
    if (!isObject(proc)) continue;
    for (const [key, v] of Object.entries(proc)) {
      const keyPath = ['processes', name, key];
      if (key.startsWith('x-')) continue;
      if (!PROCESS_KEYS.has(key)) findings.strict(file, keyPath.join('.'), `${at(keyPath)}unknown key '${key}' found in process '${name}'`);
      else if (key in PROCESS_UNSUPPORTED && set(v)) unsupported(file, keyPath, key, findings, at);
      if (isObject(v)) {
        for (const [sub, sv] of Object.entries(v)) {
          const full = `${key}.${sub}`;
          if (full in PROCESS_UNSUPPORTED && set(sv)) unsupported(file, [...keyPath, sub], full, findings, at);
        }
      }
      nested(file, keyPath, v, findings, at);
      if (key === 'depends_on' && isObject(v)) dependencyKeys(file, keyPath, v, findings, at);
    }
  }
}

/**
 * `depends_on.<process>` takes `condition` only. A typo there (`conditon`) leaves
 * the condition at process-compose's default (process_completed) without a word:
 * worth a warning like any unknown nested key.
 */
function dependencyKeys(file: string, keyPath: string[], deps: Record<string, unknown>, findings: Findings, at: (p: readonly string[]) => string): void {
  for (const [dep, spec] of Object.entries(deps)) {
    if (!isObject(spec)) continue;
    for (const sub of Object.keys(spec)) {
      const subPath = [...keyPath, dep, sub];
      if (sub !== 'condition' && !sub.startsWith('x-'))
        findings.warn(file, subPath.join('.'), `${at(subPath)}unknown key '${sub}' in 'depends_on.${dep}' (only 'condition'): process-compose ignores it, so does core`);
    }
  }
}

function unsupported(file: string, keyPath: string[], key: string, findings: Findings, at: (p: readonly string[]) => string): void {
  findings.strict(file, keyPath.join('.'), `${at(keyPath)}'${key}' is not supported by core's engine: ${PROCESS_UNSUPPORTED[key]}`);
}

/** Unknown keys inside known nested objects: process-compose drops them without a word (e.g. `http_get.url`). */
function nested(file: string, keyPath: string[], value: unknown, findings: Findings, at: (p: readonly string[]) => string): void {
  const key = keyPath[keyPath.length - 1] ?? '';
  const known = NESTED[key];
  if (!known || !isObject(value)) return;
  for (const [sub, sv] of Object.entries(value)) {
    const subPath = [...keyPath, sub];
    if (!known.includes(sub) && !sub.startsWith('x-')) {
      findings.warn(file, subPath.join('.'), `${at(subPath)}unknown key '${sub}' in '${key}': process-compose ignores it, so does core`);
    }
    nested(file, subPath, sv, findings, at);
  }
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Only a key with an effect is worth a word: `is_tty: false` or `schedule: {}` asks for nothing. */
function set(v: unknown): boolean {
  if (v === undefined || v === null || v === false || v === '' || v === 0) return false;
  if (Array.isArray(v)) return v.length > 0;
  if (isObject(v)) return Object.keys(v).length > 0;
  return true;
}
