/**
 * Our zod model of the process-compose keys a manifest may pass through under
 * `process.compose`. It follows process-compose v1.122.0 (src/types/process.go,
 * src/health/probe.go) but is stricter where the binary silently ignores input:
 * unknown keys are errors, probe seconds are integers >= 1, and `http_get`
 * accepts a `url` that the generator splits (process-compose has no `url` key).
 */
import { z } from 'zod';

export const DEPENDENCY_CONDITIONS = ['process_started', 'process_healthy', 'process_log_ready', 'process_completed', 'process_completed_successfully'] as const;
export type DependencyCondition = (typeof DEPENDENCY_CONDITIONS)[number];

const seconds = (what: string) => z.number().int().min(1).describe(`${what}, in whole seconds (process-compose accepts integers >= 1 only)`);

export const HttpGetSchema = z
  .strictObject({
    url: z.string().optional().describe('Full URL to GET, e.g. "http://127.0.0.1:${port.http}/health". Split into scheme/host/port/path by the generator.'),
    scheme: z.enum(['http', 'https']).optional().describe('Default "http".'),
    host: z.string().optional().describe('Default "127.0.0.1".'),
    port: z.union([z.number().int(), z.string()]).optional().describe('Port number, or a placeholder such as "${port.http}".'),
    path: z.string().optional().describe('Path and query, default "/".'),
    headers: z.record(z.string(), z.string()).optional().describe('Request headers.'),
    status_code: z.number().int().min(100).max(399).optional().describe('Expected status, default 200.'),
  })
  .describe('An HTTP GET that must answer with the expected status.');

export const ExecProbeSchema = z
  .strictObject({
    command: z
      .array(z.string())
      .min(1)
      .describe('argv of a command that must exit 0. Each argument is quoted for the shell process-compose uses, so no value is ever interpreted by a shell.'),
    working_dir: z.string().optional().describe('Working directory; defaults to the process working_dir.'),
  })
  .describe('A command that must exit 0.');

export const TcpProbeSchema = z
  .strictObject({
    host: z.string().optional().describe('Default "127.0.0.1".'),
    port: z.union([z.number().int(), z.string()]).describe('Port number or placeholder, e.g. "${port.client}".'),
  })
  .describe('A TCP connect that must succeed.');

export const ProbeSchema = z
  .strictObject({
    http_get: HttpGetSchema.optional(),
    exec: ExecProbeSchema.optional(),
    tcp_socket: TcpProbeSchema.optional(),
    initial_delay_seconds: z.number().int().min(0).optional().describe('Delay before the first check, whole seconds (default 0).'),
    period_seconds: seconds('Interval between checks once ready').optional(),
    timeout_seconds: seconds('Timeout of one check').optional(),
    success_threshold: z.number().int().min(1).optional().describe('Kept for process-compose; it ignores it.'),
    failure_threshold: z.number().int().min(1).optional().describe('Consecutive failures that count as fatal (default 3).'),
  })
  .refine((p) => [p.http_get, p.exec, p.tcp_socket].filter(Boolean).length === 1, {
    message: 'a probe needs exactly one of http_get, exec, tcp_socket',
  })
  .describe('A readiness or liveness probe.');
export type ManifestProbe = z.infer<typeof ProbeSchema>;

export const DependsOnSchema = z
  .record(
    z.string(),
    z.strictObject({
      condition: z.enum(DEPENDENCY_CONDITIONS).default('process_started').describe('When the dependency counts as satisfied.'),
    }),
  )
  .describe('Services (by name) this one waits for before it starts.');

export const AvailabilitySchema = z
  .strictObject({
    restart: z.enum(['always', 'on_failure', 'exit_on_failure', 'no']).optional().describe('Restart policy (default "no").'),
    backoff_seconds: seconds('Delay before a restart (the built-in engine grows it exponentially)').optional(),
    max_restarts: z.number().int().min(0).optional().describe('0 means unlimited.'),
    exit_on_end: z.boolean().optional().describe('Stop the whole stack when this process ends.'),
    exit_on_skipped: z.boolean().optional().describe('Stop the whole stack when this process is skipped.'),
  })
  .describe('What happens when the process exits.');

export const ShutdownSchema = z
  .strictObject({
    signal: z.number().int().min(1).max(31).optional().describe('Signal number sent to the process group (default 15, SIGTERM).'),
    timeout_seconds: seconds('Wait after the signal before SIGKILL').optional(),
    parent_only: z.boolean().optional().describe('Signal only the direct child, not its process group.'),
  })
  .describe('How the process is stopped.');

export const ComposeKeysSchema = z
  .strictObject({
    depends_on: DependsOnSchema.optional(),
    readiness_probe: ProbeSchema.optional(),
    liveness_probe: ProbeSchema.optional(),
    ready_log_line: z.string().min(1).optional().describe('Ready once a log line contains this text (pair with process_log_ready).'),
    availability: AvailabilitySchema.optional(),
    shutdown: ShutdownSchema.optional(),
    disabled: z.boolean().optional().describe('Listed but not started.'),
    success_exit_codes: z.array(z.number().int().min(0).max(255)).optional().describe('Exit codes besides 0 that count as success.'),
    launch_timeout_seconds: seconds('Launch timeout').optional(),
  })
  .refine((c) => !(c.ready_log_line && c.readiness_probe), {
    message: 'ready_log_line cannot be combined with readiness_probe (process-compose rejects it)',
    path: ['ready_log_line'],
  })
  .describe('process-compose keys passed through to the generated file.');
export type ComposeKeys = z.infer<typeof ComposeKeysSchema>;
