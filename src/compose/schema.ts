/**
 * Our zod model of the process-compose v1.122.0 document we generate, drawn from
 * its published JSON Schema (shared/reference/process-compose-schema.json) and its
 * Go types. It covers the keys we emit and the built-in engine honours, and is
 * strict where the binary is lenient: an unknown key here is a key the real
 * binary would ignore or reject, so tests validate every generated document
 * against it. `http_get.port` is a string, as in the upstream schema.
 */
import { z } from 'zod';
import { DEPENDENCY_CONDITIONS } from '../manifest/compose-keys.js';

const positive = z.number().int().min(1);

export const ComposeHttpGetSchema = z.strictObject({
  host: z.string(),
  scheme: z.enum(['http', 'https']),
  path: z.string(),
  port: z.string().regex(/^\d{1,5}$/),
  headers: z.record(z.string(), z.string()).optional(),
  status_code: z.number().int().optional(),
});

export const ComposeExecProbeSchema = z.strictObject({
  command: z.string().min(1),
  working_dir: z.string().optional(),
});

export const ComposeProbeSchema = z
  .strictObject({
    http_get: ComposeHttpGetSchema.optional(),
    exec: ComposeExecProbeSchema.optional(),
    initial_delay_seconds: z.number().int().min(0),
    period_seconds: positive,
    timeout_seconds: positive,
    success_threshold: positive,
    failure_threshold: positive,
  })
  .refine((p) => Boolean(p.http_get) !== Boolean(p.exec), { message: 'exactly one of http_get and exec' });
export type ComposeProbe = z.infer<typeof ComposeProbeSchema>;

/**
 * process-compose's LoggerConfig (types/logger.go), as the built-in engine writes a
 * `log_location` file with it (engine/pc-log/). `rotation.directory` and
 * `rotation.filename` are left out: process-compose does not read them either.
 */
export const ComposeLogConfigurationSchema = z.strictObject({
  /** process-compose buffers its log files unless told to flush each line (the built-in engine always does). */
  flush_each_line: z.boolean().optional(),
  no_metadata: z.boolean().optional(),
  add_timestamp: z.boolean().optional(),
  /** A Go time layout. */
  timestamp_format: z.string().optional(),
  disable_json: z.boolean().optional(),
  no_color: z.boolean().optional(),
  /** The console's parts order (disable_json). */
  fields_order: z.array(z.string()).optional(),
  rotation: z
    .strictObject({
      max_size_mb: z.number().int().min(0).optional(),
      max_backups: z.number().int().min(0).optional(),
      max_age_days: z.number().int().min(0).optional(),
      compress: z.boolean().optional(),
    })
    .optional(),
});
export type ComposeLogConfiguration = z.infer<typeof ComposeLogConfigurationSchema>;

export const ComposeProcessSchema = z.strictObject({
  description: z.string().optional(),
  entrypoint: z.array(z.string()).min(1),
  working_dir: z.string().startsWith('/'),
  environment: z.array(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*=/s)),
  depends_on: z.record(z.string(), z.strictObject({ condition: z.enum(DEPENDENCY_CONDITIONS) })).optional(),
  readiness_probe: ComposeProbeSchema.optional(),
  liveness_probe: ComposeProbeSchema.optional(),
  ready_log_line: z.string().optional(),
  availability: z
    .strictObject({
      restart: z.enum(['always', 'on_failure', 'exit_on_failure', 'no']),
      backoff_seconds: positive.optional(),
      max_restarts: z.number().int().min(0).optional(),
      exit_on_end: z.boolean().optional(),
      exit_on_skipped: z.boolean().optional(),
    })
    .optional(),
  shutdown: z
    .strictObject({
      signal: z.number().int().min(1).max(31),
      timeout_seconds: positive,
      parent_only: z.boolean().optional(),
      /** Run through the document's `shell` to stop the process instead of the signal (process-compose's doConfiguredStop). */
      command: z.string().min(1).optional(),
    })
    .optional(),
  /** The command launches a daemon and exits: a success exit means it runs (process-compose's "Launched"). */
  is_daemon: z.boolean().optional(),
  disabled: z.boolean().optional(),
  success_exit_codes: z.array(z.number().int()).optional(),
  launch_timeout_seconds: positive.optional(),
  /** process-compose's own log file of this process (JSON lines by default), beside core's `.core-stack/logs/<name>.log`. */
  log_location: z.string().startsWith('/').optional(),
  log_configuration: ComposeLogConfigurationSchema.optional(),
  /** Extension keys are allowed by process-compose and ignored by it. */
  'x-core': z
    .strictObject({
      /** The manifest this process came from. */
      service: z.string(),
      /** A TCP readiness check, also emitted as an exec probe for process-compose. */
      readiness_tcp: z.strictObject({ host: z.string(), port: z.number().int() }).optional(),
      /** The replica number process-compose writes in this process's log lines (`replica`); 0 when unset. */
      replica: z.number().int().min(0).optional(),
      /** A one-shot helper process (e.g. PocketBase's superuser upsert), not a long-running service. */
      one_shot: z.boolean().optional(),
      /**
       * `doubling`: restart delays double from `backoff_seconds` up to 30 s, back to
       * the base after a stable run (engine/policy.ts). core writes it for every
       * process of its own manifests; without it (any process-compose file) the
       * delay is process-compose's: a fixed `backoff_seconds`, at least 1 s.
       */
      restart_backoff: z.literal('doubling').optional(),
      /**
       * `restart`: a liveness probe that reaches its `failure_threshold` stops the
       * process and `availability` decides, counted as a failure (core writes it
       * for every process of its own manifests). Without it (any process-compose
       * file) the failure is only reported, as process-compose only logs it
       * (app/process.go onLivenessCheckEnd), unless the process is a launched
       * `is_daemon`, which is then taken as ended.
       */
      liveness_failure: z.literal('restart').optional(),
      /**
       * `[shell_command, shell_argument]` an exec probe runs through: process-compose
       * gives its probes the project's `shell` (by default `$COMPOSE_SHELL` or bash,
       * `-c`), known when a process-compose file is loaded. Without it: `bash -c`.
       */
      probe_shell: z.tuple([z.string().min(1), z.string()]).optional(),
      /** Env keys left out of this file because they hold secrets; the engine passes them at start. */
      secret_env: z.array(z.string()).optional(),
      /**
       * Output lines worth an `alert` event: a line that contains `match` (plain
       * text, no pattern) emits `message`, at most once per message per run, so a
       * retry loop that logs the same line every second does not flood the event
       * log. `core status` shows a process's last alert (engine/runner.ts).
       */
      alerts: z.array(z.strictObject({ match: z.string().min(1), message: z.string().min(1) })).optional(),
      /**
       * sha256 of the process's generated config files (nats.conf, caddy.json, …): the
       * file's path stays the same when its content changes, so a running stack compares this.
       */
      config_sha256: z
        .string()
        .regex(/^[0-9a-f]{64}$/)
        .optional(),
      /**
       * The process re-reads part of its config on a signal (NATS: routes and leaf
       * remotes on SIGHUP). `sha256` fingerprints those reloadable parts, and
       * `config_sha256` then leaves them out: a change of them alone keeps the
       * process (its pid) and the engine sends `signal` instead of replacing it.
       * `verify`, because a failed reload can be silent (nats-server keeps its old
       * config and the signal "succeeds"): `test_argv` checks the new file and
       * prints its digest (`nats-server -t -c FILE`: "… is valid (sha256:<hex>)"),
       * run with the process's own environment, no shell; `varz_url` answers JSON
       * whose `config_digest` must become that digest. engine/reload.ts.
       */
      reload: z
        .strictObject({
          signal: z.number().int().min(1).max(31),
          sha256: z.string().regex(/^[0-9a-f]{64}$/),
          verify: z
            .strictObject({
              test_argv: z.array(z.string()).min(1),
              varz_url: z.string().regex(/^https?:\/\/\S+$/, 'an http:// or https:// URL'),
            })
            .optional(),
        })
        .optional(),
      /**
       * The manifest's `process.watch`, paths made absolute. Not process-compose's own
       * `watch` key: its paths, debounce and cascade differ, and the built-in engine restarts
       * through an apply (engines/builtin/watch.ts).
       */
      watch: z
        .strictObject({
          paths: z.array(z.string().startsWith('/')).min(1),
          ignore: z.array(z.string()),
          debounce_ms: z.number().int().min(0),
        })
        .optional(),
    })
    .optional(),
});
export type ComposeProcess = z.infer<typeof ComposeProcessSchema>;

export const ComposeDocSchema = z.strictObject({
  version: z.literal('0.5'),
  name: z.string(),
  log_level: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'panic', 'disabled']).optional(),
  /** The project's log file: every process without a `log_location` of its own writes there. */
  log_location: z.string().startsWith('/').optional(),
  log_configuration: ComposeLogConfigurationSchema.optional(),
  ordered_shutdown: z.boolean().optional(),
  is_strict: z.boolean().optional(),
  /** How `shutdown.command` is run (process-compose's project `shell`); default `bash -c`. */
  shell: z.strictObject({ shell_command: z.string().min(1), shell_argument: z.string() }).optional(),
  processes: z.record(z.string(), ComposeProcessSchema),
});
export type ComposeDoc = z.infer<typeof ComposeDocSchema>;
