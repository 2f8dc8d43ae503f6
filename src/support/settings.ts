/**
 * Settings: parsed once from `.env` and the process environment. Nothing else in
 * `core` reads `process.env`; everything downstream gets a Settings value.
 * Every variable read here is listed, with its default, in `.env.example`.
 */
import os from 'node:os';
import path from 'node:path';
import { InputError } from './errors.js';

export type EngineName = 'builtin' | 'process-compose';
export const ENGINES: readonly EngineName[] = ['builtin', 'process-compose'];

export interface Settings {
  /** Absolute project root: holds `services/`, `.env`, `.dep/`, `.data/`, `.core-stack/`. */
  readonly root: string;
  /** The merged environment (`.env` first, the process environment wins), for `${env.*}`. */
  readonly env: Readonly<Record<string, string>>;
  /** The `.env` line of each variable of `env` that came from there (the process environment did not override it), for messages. */
  readonly dotenvLines?: Readonly<Record<string, number>>;
  /** Default listen address of every service (CORE_HOST). Loopback unless set. */
  readonly host: string;
  /** Added to every declared port (CORE_PORT_OFFSET), so stacks can run side by side. */
  readonly portOffset: number;
  /** `CORE_PORT_<SERVICE>_<PORT>` overrides, keyed `service.port`. */
  readonly portOverrides: Readonly<Record<string, number>>;
  readonly dataDir: string;
  readonly stackDir: string;
  readonly depDir: string;
  readonly cacheDir: string;
  readonly engine: EngineName;
  /** Which of a service's `config.deployment`s is in force (CORE_DEPLOYMENT). */
  readonly deployment: string;
  /** CORE_CONTROLLER=1: the supervisor applies the `core_topology` records of PocketBase (docs/controller.md). */
  readonly controller: boolean;
  /** CORE_METRICS_ADDR: where the supervisor serves `GET /metrics` over HTTP (docs/metrics.md); unset: nowhere. */
  readonly metricsAddr?: MetricsAddr;
  /** CORE_HOSTS_FILE, resolved against the root: the hosts file when it is not `<root>/hosts.json` (docs/hosts.md). */
  readonly hostsFile?: string;
  /** CORE_HOST_NAME: the host of the hosts file this `core` runs as (`--host` wins). */
  readonly hostName?: string;
}

/** A `host:port` to listen on; the host as written (a name, an IPv4, an IPv6 without brackets). */
export interface MetricsAddr {
  readonly host: string;
  readonly port: number;
}

export interface SettingsInput {
  readonly root: string;
  readonly processEnv: Readonly<Record<string, string | undefined>>;
  /** Variables parsed from `<root>/.env`, if it exists. */
  readonly dotenv?: Readonly<Record<string, string>>;
  /** The line of each `.env` variable (see dotenv-scan.ts). */
  readonly dotenvLines?: Readonly<Record<string, number>>;
  readonly homeDir?: string;
}

/** The env-var name that overrides one port: `CORE_PORT_NATS_CLIENT`. */
export function portOverrideVar(service: string, port: string): string {
  return `CORE_PORT_${service}_${port}`.toUpperCase().replace(/[^A-Z0-9]/g, '_');
}

const PORT_VAR = /^CORE_PORT_(?!OFFSET$)[A-Z0-9_]+$/;

/** Pure: build Settings from already-read inputs. */
export function parseSettings(input: SettingsInput): Settings {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(input.dotenv ?? {})) env[key] = value;
  for (const [key, value] of Object.entries(input.processEnv)) if (value !== undefined) env[key] = value;

  const root = path.resolve(input.root);
  const dir = (name: string, fallback: string) => {
    const value = env[name];
    return value ? path.resolve(root, value) : path.join(root, fallback);
  };
  const home = input.homeDir ?? os.homedir();
  const cacheBase = env.XDG_CACHE_HOME ? path.resolve(env.XDG_CACHE_HOME) : path.join(home, '.cache');

  const host = env.CORE_HOST || '127.0.0.1';
  if (!/^[A-Za-z0-9.:\-[\]]+$/.test(host)) {
    throw new InputError('bad-setting', `CORE_HOST: "${host}" is not a host name or IP address`);
  }

  const portOverrides: Record<string, number> = {};
  const badPorts: string[] = [];
  for (const [key, value] of Object.entries(env)) {
    if (!PORT_VAR.test(key)) continue;
    try {
      portOverrides[key] = parsePort(key, value);
    } catch (error) {
      badPorts.push((error as Error).message);
    }
  }
  // Every bad override at once, one line each, rather than the first of them.
  if (badPorts.length === 1) throw new InputError('bad-setting', badPorts[0]!);
  if (badPorts.length > 1) throw new InputError('bad-setting', `${badPorts.length} port overrides are not whole numbers from 1 to 65535`, badPorts.sort());

  const engine = (env.CORE_ENGINE || 'builtin') as EngineName;
  if (!ENGINES.includes(engine)) {
    throw new InputError('bad-setting', `CORE_ENGINE: "${engine}" is not one of ${ENGINES.join(', ')}`);
  }

  const deployment = env.CORE_DEPLOYMENT || 'local';
  if (!/^[a-z][a-z0-9_-]*$/.test(deployment)) {
    throw new InputError('bad-setting', `CORE_DEPLOYMENT: "${deployment}" is not a deployment name (lower-case letters, digits, _ and -)`);
  }
  const controller = parseSwitch('CORE_CONTROLLER', env.CORE_CONTROLLER);
  const metricsAddr = env.CORE_METRICS_ADDR ? parseListenAddr('CORE_METRICS_ADDR', env.CORE_METRICS_ADDR) : undefined;

  const dotenvLines = Object.fromEntries(Object.entries(input.dotenvLines ?? {}).filter(([key]) => input.dotenv?.[key] !== undefined && input.processEnv[key] === undefined));

  return {
    root,
    env,
    dotenvLines,
    host,
    portOffset: env.CORE_PORT_OFFSET ? parseInteger('CORE_PORT_OFFSET', env.CORE_PORT_OFFSET, 0, 60000) : 0,
    portOverrides,
    dataDir: dir('CORE_DATA_DIR', '.data'),
    stackDir: dir('CORE_STACK_DIR', '.core-stack'),
    depDir: dir('CORE_DEP_DIR', '.dep'),
    cacheDir: env.CORE_CACHE_DIR ? path.resolve(root, env.CORE_CACHE_DIR) : path.join(cacheBase, 'core'),
    engine,
    deployment,
    controller,
    ...(metricsAddr ? { metricsAddr } : {}),
    ...(env.CORE_HOSTS_FILE ? { hostsFile: path.resolve(root, env.CORE_HOSTS_FILE) } : {}),
    ...(env.CORE_HOST_NAME ? { hostName: env.CORE_HOST_NAME } : {}),
  };
}

/**
 * `host:port` or `[v6]:port`. Any host is taken: one beyond loopback (0.0.0.0)
 * is the user's explicit choice (docs/metrics.md); the metrics change nothing
 * and hold no secret, but they do name every process.
 */
export function parseListenAddr(name: string, value: string): MetricsAddr {
  const match = /^(?:\[([0-9A-Fa-f:.]+)\]|([A-Za-z0-9.-]+)):(\d{1,5})$/.exec(value.trim());
  if (!match) throw new InputError('bad-setting', `${name}: "${value}" is not host:port (e.g. 127.0.0.1:9464, [::1]:9464)`);
  const port = Number(match[3]);
  if (port < 1 || port > 65535) throw new InputError('bad-setting', `${name}: "${value}": the port is not a whole number from 1 to 65535`);
  return { host: match[1] ?? match[2]!, port };
}

/** An on/off setting: `1`/`true`/`on` or `0`/`false`/`off`/empty (unset: off); anything else is a typo worth saying. */
function parseSwitch(name: string, value: string | undefined): boolean {
  const word = (value ?? '').trim().toLowerCase();
  if (['', '0', 'false', 'off', 'no'].includes(word)) return false;
  if (['1', 'true', 'on', 'yes'].includes(word)) return true;
  throw new InputError('bad-setting', `${name}: "${value}" is not 1 or 0`);
}

function parsePort(name: string, value: string): number {
  return parseInteger(name, value, 1, 65535);
}

function parseInteger(name: string, value: string, min: number, max: number): number {
  const trimmed = value.trim();
  const number = Number(trimmed);
  if (!/^\d+$/.test(trimmed) || number < min || number > max) {
    throw new InputError('bad-setting', `${name}: "${value}" is not a whole number from ${min} to ${max}`);
  }
  return number;
}
