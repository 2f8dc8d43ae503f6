/**
 * zod model of one process-compose v1.122.0 file as its Go types decode it
 * (src/types/project.go, process.go, health/probe.go, command/config.go).
 * Objects are loose: process-compose keeps unknown project/process keys in an
 * inline `Extensions` map and judges them later (validateProject,
 * ValidateProcessConfig), which unknown-keys.ts mirrors; unknown keys inside
 * nested objects are ignored by yaml.v3, and unknown-keys.ts warns about them.
 * Scalars are coerced the way yaml.v3 decodes a YAML scalar into a Go string,
 * int or bool field.
 */
import { z } from 'zod';

/** yaml.v3 decodes any scalar into a string field (`port: 8080`, `version: 0.5`). */
const str = z.union([z.string(), z.number(), z.boolean()]).transform(String);
/** yaml.v3 also reads the YAML 1.1 spellings into a bool field. */
const bool = z.preprocess((v) => {
  if (typeof v !== 'string') return v;
  if (/^(y|yes|on|true)$/i.test(v)) return true;
  if (/^(n|no|off|false)$/i.test(v)) return false;
  return v;
}, z.boolean());
const int = z.number().int();
/** The most replicas one process may ask for. */
export const MAX_REPLICAS = 1000;

export const CONDITIONS = ['process_completed', 'process_completed_successfully', 'process_healthy', 'process_started', 'process_log_ready'] as const;
export type PcCondition = (typeof CONDITIONS)[number];

const ExecProbe = z.looseObject({ command: str.optional(), working_dir: str.optional() });
const HttpProbe = z.looseObject({
  host: str.optional(),
  path: str.optional(),
  scheme: str.optional(),
  port: str.optional(),
  headers: z.record(z.string(), str).optional(),
  status_code: int.optional(),
});
export const PcProbeSchema = z.looseObject({
  exec: ExecProbe.optional(),
  http_get: HttpProbe.optional(),
  initial_delay_seconds: int.optional(),
  period_seconds: int.optional(),
  timeout_seconds: int.optional(),
  success_threshold: int.optional(),
  failure_threshold: int.optional(),
});
export type PcProbe = z.infer<typeof PcProbeSchema>;

const Availability = z.looseObject({
  restart: z.enum(['always', 'on_failure', 'exit_on_failure', 'no']).optional(),
  backoff_seconds: int.optional(),
  max_restarts: int.optional(),
  exit_on_end: bool.optional(),
  exit_on_skipped: bool.optional(),
});
const Shutdown = z.looseObject({
  command: str.optional(),
  timeout_seconds: int.optional(),
  signal: int.optional(),
  parent_only: bool.optional(),
  send_keys: str.optional(),
});
/** types/logger.go LoggerConfig; `directory` and `filename` are decoded and never read by process-compose. */
const LoggerConfig = z.looseObject({
  rotation: z
    .looseObject({
      directory: str.optional(),
      filename: str.optional(),
      max_size_mb: int.optional(),
      max_backups: int.optional(),
      max_age_days: int.optional(),
      compress: bool.optional(),
    })
    .nullish(),
  fields_order: z.array(str).optional(),
  disable_json: bool.optional(),
  timestamp_format: str.optional(),
  no_color: bool.optional(),
  no_metadata: bool.optional(),
  add_timestamp: bool.optional(),
  flush_each_line: bool.optional(),
});
export type PcLoggerConfig = z.infer<typeof LoggerConfig>;
/** `namespace` is a string or a list of strings (types/namespaces.go UnmarshalYAML). */
const Namespaces = z.union([str.transform((s) => (s === '' ? [] : [s])), z.array(str)]);

export const PcProcessSchema = z.looseObject({
  extends: str.optional(),
  disabled: bool.optional(),
  is_daemon: bool.optional(),
  command: str.optional(),
  entrypoint: z.array(str).optional(),
  log_location: str.optional(),
  log_configuration: LoggerConfig.optional(),
  // A YAML map fails to decode into types.Environment ([]string): an error, as in process-compose.
  environment: z.array(str).optional(),
  env_file: str.optional(),
  availability: Availability.optional(),
  depends_on: z.record(z.string(), z.looseObject({ condition: z.enum(CONDITIONS).optional() })).optional(),
  liveness_probe: PcProbeSchema.optional(),
  readiness_probe: PcProbeSchema.optional(),
  ready_log_line: str.optional(),
  shutdown: Shutdown.optional(),
  disable_ansi_colors: bool.optional(),
  working_dir: str.optional(),
  namespace: Namespaces.optional(),
  // process-compose sets no bound; each replica is a process of its own (a typo of 100000 would fork-bomb the machine).
  replicas: int.min(0).max(MAX_REPLICAS, `at most ${MAX_REPLICAS} replicas: each is a process of its own`).optional(),
  description: str.optional(),
  vars: z.record(z.string(), z.unknown()).optional(),
  is_foreground: bool.optional(),
  is_tty: bool.optional(),
  is_elevated: bool.optional(),
  is_interactive: bool.optional(),
  launch_timeout_seconds: int.optional(),
  is_disabled: str.optional(),
  is_dotenv_disabled: bool.optional(),
  schedule: z.looseObject({}).optional(),
  watch: z.looseObject({}).optional(),
  mcp: z.looseObject({}).optional(),
  truncate_log: bool.optional(),
  is_template_disabled: bool.optional(),
  monitor_for: z.enum(['none', 'activity', 'silence', '']).optional(),
  monitor_silence_threshold: z.unknown().optional(),
  success_exit_codes: z.array(int).optional(),
});
export type PcProcess = z.infer<typeof PcProcessSchema>;

export const PcProjectSchema = z.looseObject({
  version: str.optional(),
  name: str.optional(),
  log_location: str.optional(),
  log_level: str.optional(),
  log_length: int.optional(),
  log_configuration: LoggerConfig.optional(),
  log_format: str.optional(),
  processes: z
    .record(
      z.string(),
      PcProcessSchema.nullable().transform((p) => p ?? {}),
    )
    .optional(),
  environment: z.array(str).optional(),
  shell: z
    .looseObject({
      shell_command: str.optional(),
      shell_argument: str.optional(),
      elevated_shell_command: str.optional(),
      elevated_shell_argument: str.optional(),
    })
    .optional(),
  is_strict: bool.optional(),
  vars: z.record(z.string(), z.unknown()).optional(),
  disable_env_expansion: bool.optional(),
  is_tui_disabled: bool.optional(),
  extends: str.optional(),
  env_cmds: z.record(z.string(), str).optional(),
  ordered_shutdown: bool.optional(),
  mcp_server: z.looseObject({}).optional(),
});
export type PcProject = z.infer<typeof PcProjectSchema>;

/** Keys of the Go structs: anything else at project or process level is an "unknown key". */
export const PROJECT_KEYS = new Set([...Object.keys(PcProjectSchema.shape), 'file_names', 'env_file_names', 'dot_env_vars']);
export const PROCESS_KEYS = new Set([...Object.keys(PcProcessSchema.shape), 'name', 'original_config', 'replica_num', 'replica_name', 'executable', 'args']);
