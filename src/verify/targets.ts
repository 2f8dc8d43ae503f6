/**
 * Pure: what to verify in a stack, from its plan and the ports the running
 * stack records. NATS services (one connection to every client port of the
 * processes that hold its streams), PocketBase services (with the Caddy that
 * proxies to each), Caddy services that front something else, and every
 * other process (its readiness probe, or its state).
 */
import type { Credentials } from '../plan/auth.js';
import { AUTH_USER } from '../plan/auth.js';
import type { PlannedPort, PlannedService, StackPlan } from '../plan/types.js';
import { superuserVars } from '../controller/superuser.js';
import { DEFAULT_SUPERUSER_EMAIL } from '../services/pocketbase.js';
import { hostPort } from '../services/types.js';

export interface Address {
  readonly host: string;
  readonly port: number;
}

export interface NatsTarget {
  readonly kind: 'nats';
  readonly service: string;
  readonly servers: readonly Address[];
  readonly jetstream: boolean;
  readonly credentials?: Credentials;
}

export interface Front {
  readonly name: string;
  readonly address: Address;
}

/** The superuser to sign in as, with the variable its password came from (for a message); or why there is none. */
export type Superuser = { readonly email: string; readonly password: string; readonly passwordEnv: string } | { readonly missing: string };

export interface PocketbaseTarget {
  readonly kind: 'pocketbase';
  readonly name: string;
  readonly address: Address;
  /** The Caddy processes whose upstream is this PocketBase. */
  readonly fronts: readonly Front[];
  readonly superuser: Superuser;
}

export interface CaddyTarget {
  readonly kind: 'caddy';
  readonly name: string;
  readonly address: Address;
  readonly upstream: string;
}

export interface ProcessTarget {
  readonly kind: 'process';
  readonly name: string;
}

export type Target = NatsTarget | PocketbaseTarget | CaddyTarget | ProcessTarget;

export type RecordedPorts = Readonly<Record<string, Readonly<Record<string, { port: number; host?: string }>>>>;

/** A wildcard listen address is no address to connect to. */
export function connectHost(host: string | undefined): string {
  return !host || ['0.0.0.0', '::', '[::]'].includes(host) ? '127.0.0.1' : host;
}

export function addressText({ host, port }: Address): string {
  return hostPort(host, port);
}

/** The port as the running stack records it (what runs), else as planned. */
function portOf(s: PlannedService, name: string, recorded: RecordedPorts): Address | undefined {
  const planned: PlannedPort | undefined = s.ports[name];
  const running = recorded[s.name]?.[name];
  const port = running?.port ?? planned?.port;
  if (port === undefined) return undefined;
  return { host: connectHost(running?.host ?? planned?.host), port };
}

/** Nodes, hubs and the single node hold a NATS service's streams; leaves keep their own domain's. */
function holdsStreams(s: PlannedService): boolean {
  return s.topology?.role !== 'leaf';
}

/** The user and password the plan gives the service's clients (nats.conf reads the same from the server's env). */
function natsCredentials(s: PlannedService): Credentials | undefined {
  if (s.config.auth !== 'user-password') return undefined;
  const key = s.secretEnv.find((k) => /^CORE_.+_AUTH_PASSWORD$/.test(k));
  const password = key ? s.env[key] : undefined;
  return password ? { user: AUTH_USER, password } : undefined;
}

function superuserOf(s: PlannedService): Superuser {
  const vars = superuserVars(s.config);
  if (!vars) return { missing: `${s.file}: no config.superuser (email_env, password_env)` };
  const password = s.env[vars.passwordEnv];
  if (!password) return { missing: `${vars.passwordEnv} is not set (config.superuser.password_env of ${s.file})` };
  return { email: s.env[vars.emailEnv] || DEFAULT_SUPERUSER_EMAIL, password, passwordEnv: vars.passwordEnv };
}

function natsTargets(services: readonly PlannedService[], recorded: RecordedPorts): NatsTarget[] {
  const byService = new Map<string, PlannedService[]>();
  for (const s of services) if (s.renderer === 'nats') byService.set(s.service, [...(byService.get(s.service) ?? []), s]);
  return [...byService].flatMap(([service, processes]) => {
    const core = processes.filter(holdsStreams);
    const servers = (core.length ? core : processes).flatMap((s) => portOf(s, 'client', recorded) ?? []);
    if (servers.length === 0) return [];
    const credentials = natsCredentials(processes[0]!);
    return [{ kind: 'nats' as const, service, servers, jetstream: processes[0]!.config.jetstream !== false, ...(credentials ? { credentials } : {}) }];
  });
}

/**
 * `only`: the processes to verify (default: all). A PocketBase is verified
 * with its Caddy fronts when either is asked for; a Caddy fronting a PocketBase
 * not asked for is verified on its own.
 */
export function verifyTargets(plan: StackPlan, recorded: RecordedPorts, only?: ReadonlySet<string>): Target[] {
  const wanted = (s: PlannedService) => !only || only.has(s.name);
  const services = plan.services;
  const caddies = services.filter((s) => s.renderer === 'caddy');
  const pocketbases = services.filter((s) => s.renderer === 'pocketbase');
  const upstreamOf = (s: PlannedService) => String(s.config.upstream ?? '');
  const fronted = new Set<string>();
  const targets: Target[] = [...natsTargets(services.filter(wanted), recorded)];
  for (const pb of pocketbases) {
    const address = portOf(pb, 'http', recorded);
    if (!address) continue;
    const planned = pb.ports.http!;
    const fronts = caddies.filter((c) => upstreamOf(c) === hostPort(planned.host, planned.port) || upstreamOf(c) === addressText(address));
    const asked = wanted(pb) || fronts.some(wanted);
    for (const c of fronts) if (asked) fronted.add(c.name);
    if (!asked) continue;
    const frontAddresses = fronts.flatMap((c) => {
      const a = portOf(c, 'http', recorded);
      return a ? [{ name: c.name, address: a }] : [];
    });
    targets.push({ kind: 'pocketbase', name: pb.name, address, fronts: frontAddresses, superuser: superuserOf(pb) });
  }
  for (const c of caddies.filter((c) => wanted(c) && !fronted.has(c.name))) {
    const address = portOf(c, 'http', recorded);
    if (address) targets.push({ kind: 'caddy', name: c.name, address, upstream: upstreamOf(c) });
  }
  for (const s of services.filter((s) => !s.renderer && wanted(s))) targets.push({ kind: 'process', name: s.name });
  return targets;
}

/**
 * The processes to verify: those asked for, else every process of the plan
 * but those the running stack was never asked to start (`core up api` starts
 * api and its dependencies; the rest are Disabled). A process stopped since
 * (`core stop caddy`) is verified, and fails: the stack is not whole.
 */
export function selectProcesses(plan: StackPlan, asked: readonly string[], statusOf: (name: string) => string | undefined): Set<string> {
  if (asked.length) return new Set(asked);
  return new Set(plan.services.map((s) => s.name).filter((name) => statusOf(name) !== 'Disabled'));
}
