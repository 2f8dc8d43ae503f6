/**
 * The manifest (`services/<name>/service.json`) in zod: the one definition. The
 * JSON Schema shipped in `schema/service.schema.json` is generated from it
 * (`core schema`), never written by hand.
 */
import { z } from 'zod';
import { TopologyConfigSchema } from './topology.js';
import { ComposeKeysSchema } from './compose-keys.js';

/** A plain file name: no folder, no dot-dot, nothing a shell or a path would read twice. */
export const BINARY_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
export const SERVICE_NAME = /^[a-z][a-z0-9-]*$/;
export const PORT_NAME = /^[a-z][a-z0-9_-]*$/;

const template = (what: string) => z.string().min(1).describe(`${what}. Placeholders: {version}, {os}, {arch}.`);

const PathSourceSchema = z
  .strictObject({
    type: z.literal('path'),
    command: z.string().regex(BINARY_NAME).optional().describe('Command looked up on PATH (default: the binary name).'),
    version_args: z.array(z.string()).optional().describe('Arguments that make it print its version (default ["--version"]).'),
    range: z.string().optional().describe('Semver range a PATH binary must satisfy (default: exactly the pinned version).'),
  })
  .describe('Use a command already on PATH if its version is in range.');

const CacheSourceSchema = z.strictObject({ type: z.literal('cache') }).describe('Reuse a binary built or downloaded before, from the per-user cache (keyed by name and version).');

const DownloadSourceSchema = z
  .strictObject({
    type: z.literal('download'),
    url: template('Archive URL'),
    archive: z.enum(['tar.gz', 'zip', 'binary']).describe('Archive format.'),
    member: template('Path of the binary inside the archive').optional(),
    sha256: z
      .record(z.string(), z.string().regex(/^[0-9a-f]{64}$/))
      .optional()
      .describe('Pinned sha256 of the archive per "{os}_{arch}", e.g. {"linux_amd64": "…"}.'),
    checksums: z
      .strictObject({
        url: template('URL of the release checksum file'),
        algorithm: z.enum(['sha256', 'sha512']),
      })
      .optional()
      .describe("The release's checksum file, used when no pinned sha256 is given for this platform."),
    os: z.record(z.string(), z.string()).optional().describe('Rename Node platforms for {os}, e.g. {"darwin": "mac"}.'),
    arch: z.record(z.string(), z.string()).optional().describe('Rename Node architectures for {arch} (default x64→amd64).'),
    why: z.string().optional().describe('Why this verification method was chosen.'),
  })
  .refine((s) => s.sha256 || s.checksums, { message: 'a download needs a pinned sha256 or a checksums file' })
  .describe('Download a release archive and verify it.');

const GoInstallSourceSchema = z
  .strictObject({
    type: z.literal('go-install'),
    module: z
      .string()
      .regex(/^[A-Za-z0-9.\-_~/]+$/)
      .describe('Package path to install, e.g. github.com/nats-io/nats-server/v2.'),
    version: z
      .string()
      .regex(/^v[0-9A-Za-z.\-+]+$/)
      .describe('Module version, e.g. v2.14.5.'),
    binary: z.string().regex(BINARY_NAME).optional().describe('Name of the binary go install produces (default: last path element).'),
    ldflags: z.string().optional().describe('Passed as -ldflags.'),
  })
  .describe('Build with the Go toolchain (go install module@version) into the cache.');

export const SourceSchema = z.discriminatedUnion('type', [PathSourceSchema, CacheSourceSchema, DownloadSourceSchema, GoInstallSourceSchema]);
export type Source = z.infer<typeof SourceSchema>;

export const BinarySchema = z
  .strictObject({
    name: z.string().regex(BINARY_NAME, 'must be a plain file name').describe('Name under .dep/, used as ${dep.<name>}.'),
    version: z
      .string()
      .regex(/^\d+\.\d+\.\d+([-+][0-9A-Za-z.\-+]*)?$/)
      .describe('Pinned version (semver, no "v").'),
    sources: z.array(SourceSchema).min(1).describe('Where to get it, tried in order.'),
  })
  .describe('A binary the service needs.');
export type Binary = z.infer<typeof BinarySchema>;

export const PortSchema = z
  .strictObject({
    port: z.number().int().min(1).max(65535).describe('Default port; override with CORE_PORT_<SERVICE>_<NAME> or shift with CORE_PORT_OFFSET.'),
    protocol: z.enum(['tcp', 'udp', 'http', 'https', 'nats', 'grpc']).describe('What speaks on it.'),
    host: z.string().optional().describe('Listen address (default CORE_HOST, 127.0.0.1). Placeholders allowed.'),
  })
  .describe('A named port.');

/** Default quiet time after the last change before a restart: an editor's save is several events. */
export const DEFAULT_WATCH_DEBOUNCE_MS = 200;

export const WatchSchema = z
  .strictObject({
    paths: z.array(z.string().min(1)).min(1).describe('Files or folders to watch (folders recursively), relative to the project root as working_dir is. Placeholders allowed.'),
    ignore: z
      .array(z.string().min(1))
      .default([])
      .describe(
        'Globs of changes to ignore (*, **, ?). A glob without "/" matches a file or folder name at any depth; one with "/" matches the path inside a watched folder. .git and node_modules are always ignored.',
      ),
    debounce_ms: z
      .number()
      .int()
      .min(0)
      .max(60_000)
      .default(DEFAULT_WATCH_DEBOUNCE_MS)
      .describe(`Quiet time after the last change before the restart, in ms (default ${DEFAULT_WATCH_DEBOUNCE_MS}).`),
  })
  .describe('Restart this process (only this one, its dependents untouched) when a watched file changes. Built-in engine only.');
export type Watch = z.infer<typeof WatchSchema>;

export const ProcessSchema = z
  .strictObject({
    command: z.string().min(1).describe('Executable, usually "${dep.<binary>}". Never run through a shell.'),
    args: z.array(z.string()).default([]).describe('Arguments, one per item. Placeholders allowed.'),
    env: z
      .record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'not a valid variable name'), z.string())
      .default({})
      .describe('Environment variables. Placeholders allowed.'),
    working_dir: z.string().optional().describe('Working directory (default the data folder "${data}/<name>"). Made absolute.'),
    compose: ComposeKeysSchema.default({}),
    watch: WatchSchema.optional(),
  })
  .describe('How to run the service.');

export const RENDERERS = ['nats', 'caddy', 'pocketbase'] as const;

/** NATS `config.auth`: "off" (open to every local user on loopback) or generated per-stack credentials. */
export const AUTH_MODES = ['off', 'user-password'] as const;

/**
 * The `config` keys the NATS renderer reads. Other renderers' keys are checked
 * by the renderers; this one is checked here because credentials are loaded
 * (and a password file created) before the plan is made.
 */
export const NatsConfigSchema = z.looseObject({
  auth: z
    .enum(AUTH_MODES)
    .optional()
    .describe(
      '"off" (default): any local user can connect on loopback. "user-password": a password generated once per project (.data/secrets/), given to clients through ${svc.<nats>.auth.*}.',
    ),
  ...TopologyConfigSchema.shape,
});

export const ManifestSchema = z
  .strictObject({
    $schema: z.string().optional().describe('Path of the JSON Schema, for editors.'),
    name: z.string().regex(SERVICE_NAME, 'must be lower-case letters, digits and dashes').describe('Service name; equals its folder name.'),
    description: z.string().default('').describe('One line on what it is.'),
    renderer: z.enum(RENDERERS).optional().describe("Built-in renderer that writes this service's config files from `config`."),
    binaries: z.array(BinarySchema).default([]),
    process: ProcessSchema,
    ports: z.record(z.string().regex(PORT_NAME, 'port names are lower-case letters, digits, _ and -'), PortSchema).default({}),
    placement: z
      .enum(['primary', 'every'])
      .optional()
      .describe(
        'With a hosts file (docs/hosts.md): "primary" (default) runs it on the primary host, with PocketBase; "every" on every host. NATS is placed by its topology, Caddy runs on every host.',
      ),
    config: z
      .record(z.string(), z.unknown())
      .default({})
      .describe('Service-specific settings, read by its renderer. Placeholders allowed in strings (secrets only in process.env).'),
  })
  .superRefine((manifest, ctx) => {
    if (manifest.renderer !== 'nats') return;
    const parsed = NatsConfigSchema.safeParse(manifest.config);
    for (const issue of parsed.error?.issues ?? []) ctx.addIssue({ ...issue, path: ['config', ...issue.path] } as never);
  })
  .describe('A core service manifest (services/<name>/service.json).');

export type Manifest = z.infer<typeof ManifestSchema>;
export type ManifestInput = z.input<typeof ManifestSchema>;
