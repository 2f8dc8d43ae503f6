/**
 * Authentication (and, with the user's certificates, TLS) of the NATS links
 * between processes: cluster routes and leaf connections (docs/hosts.md,
 * "Credentials"). Decided per process from the plan: a link authenticates when
 * it leaves loopback (then its password is required: exit 2 without it) or
 * when its password is set anyway. Without either, nothing here changes a file.
 *
 * No secret is written to a file or a command line: the process gets them in
 * its environment as secret env keys (`x-core.secret_env`), and nats.conf
 * names the variables. nats-server parses a variable's value as config text
 * (conf/parse.go), so every value is a quoted string or an array literal:
 * `123` unquoted would be an integer and nats-server would refuse it.
 *
 * - Routes: `cluster.authorization { user: core, password: $CORE_NATS_CLUSTER_PASSWORD }`
 *   and `routes: $CORE_<SERVICE>_ROUTES`, the seeds (the first three members by
 *   index) with `core:<password>@` in each URL: nats-server sends an explicit
 *   route's credentials from its URL only, while routes it learns by gossip use
 *   the cluster's own authorization (route.go). A fourth member thus changes no
 *   running member's file or environment.
 * - Leaf connections: the hub accepts one nkey (`authorization { nkey: <public> }`,
 *   not a secret), the leaf signs with its seed (`nkey: $CORE_NATS_LEAF_SEED`);
 *   both are derived from CORE_NATS_LEAF_PASSWORD, so every host derives the
 *   same pair from the one password in its `.env`.
 */
import { createRequire } from 'node:module';
import type { LinkSecurity, PlannedService, TlsFiles } from '../plan/types.js';

export const CLUSTER_PASSWORD_VAR = 'CORE_NATS_CLUSTER_PASSWORD';
export const LEAF_PASSWORD_VAR = 'CORE_NATS_LEAF_PASSWORD';
/** The leaf's nkey seed, derived from LEAF_PASSWORD_VAR, in the leaf process's environment only. */
export const LEAF_SEED_VAR = 'CORE_NATS_LEAF_SEED';
/** The user routes authenticate as; the password is what is secret. */
export const ROUTE_USER = 'core';
/** Explicit routes: the first this many members; the rest of the mesh forms by gossip. */
export const ROUTE_SEEDS = 3;
/** Fixed salt of the seed derivation: the leaf key is no plain hash of the password someone may use elsewhere. */
const LEAF_KEY_DOMAIN = 'core-leaf\0';
/**
 * scrypt's cost (N = 2^15, r = 8: ~80 ms here, once per password a run). The
 * public key is written in the hubs' nats.conf and presented on every leaf
 * connection, so it must not be a fast hash of the password: a guess per
 * 80 ms, not billions a second.
 */
const LEAF_KEY_COST = { N: 2 ** 15, r: 8, p: 1, maxmem: 64 * 1024 * 1024 } as const;
const derived = new Map<string, { seed: string; publicKey: string }>();

/** The variable holding a cluster's seed routes: `CORE_NATS_ROUTES`; a leaf region's cluster: `CORE_NATS_LHR_ROUTES`. */
export function routesVar(service: Pick<PlannedService, 'service' | 'topology'>): string {
  const own = service.topology?.role === 'leaf' ? `${service.service}_${service.topology.cluster ?? ''}` : service.service;
  return `CORE_${own.toUpperCase().replace(/[^A-Z0-9]/g, '_')}_ROUTES`;
}

/** 127.0.0.0/8, ::1, localhost: a link between two such addresses never leaves the machine. */
export function isLoopback(host: string): boolean {
  return /^127\.\d+\.\d+\.\d+$/.test(host) || host === '::1' || host.toLowerCase() === 'localhost';
}

/** A value as nats-server reads it from a variable: config text, so a string is quoted. */
export const confString = (value: string): string => JSON.stringify(value);

// Loaded on first use: `core status` and the other commands without NATS links skip both modules.
const load = createRequire(import.meta.url);

/**
 * The leaf nkey pair of a password: scrypt of the password with a fixed salt
 * as the Ed25519 seed of a user nkey. `Codec.encodeSeed` is not among the
 * package's exports (lib/mod.js), and @nats-io/nkeys has no exports map, so
 * lib/codec.js is imported by path; the package is a dependency of its own in
 * package.json for it (the NATS client brings it too, at whatever version).
 */
export function leafKeyPair(password: string): { seed: string; publicKey: string } {
  const known = derived.get(password);
  if (known) return known;
  const { scryptSync } = load('node:crypto') as typeof import('node:crypto');
  const { Codec } = load('@nats-io/nkeys/lib/codec.js') as typeof import('@nats-io/nkeys/lib/codec.js');
  const { fromSeed, Prefix } = load('@nats-io/nkeys') as typeof import('@nats-io/nkeys');
  const raw = scryptSync(password, LEAF_KEY_DOMAIN, 32, LEAF_KEY_COST);
  const seed = Codec.encodeSeed(Prefix.User, new Uint8Array(raw));
  const pair = { seed: new TextDecoder().decode(seed), publicKey: fromSeed(seed).getPublicKey() };
  derived.set(password, pair);
  return pair;
}

/** A seed route with the cluster's credentials in it (`nats-route://core:pw@host:port`). */
export function routeWithCredentials(route: string, password: string): string {
  return route.replace(/^nats-route:\/\//, `nats-route://${ROUTE_USER}:${encodeURIComponent(password)}@`);
}

/**
 * The plan's NATS processes with their links' security (`links`) and the
 * secrets that go with it in their environment (pure). `env`: the settings'
 * (`.env` and the process environment); `tls`: the user's certificates for a
 * process, if any. A password that is needed and missing is not an error
 * here: only a host that runs the process needs it (nats.ts says so when it
 * renders the file), while `core plan` on a laptop shows the placement without.
 */
export function planLinkSecurity(
  services: readonly PlannedService[],
  env: Readonly<Record<string, string>>,
  tls: (process: PlannedService) => TlsFiles | undefined = () => undefined,
): PlannedService[] {
  const clusterPassword = env[CLUSTER_PASSWORD_VAR] || undefined;
  const leafPassword = env[LEAF_PASSWORD_VAR] || undefined;
  const leafKeys = leafPassword === undefined ? undefined : leafKeyPair(leafPassword);
  return services.map((p) => {
    if (p.renderer !== 'nats' || !p.topology) return p;
    const { cluster, role } = p.topology;
    const hubs = role === 'hub' || role === 'leaf' ? services.filter((s) => s.service === p.service && s.topology?.role === 'hub') : [];
    if (!cluster && hubs.length === 0) return p;
    const env: Record<string, string> = { ...p.env };
    const secret = new Set(p.secretEnv);
    const why: { routes?: string; leaf?: string } = {};

    const members = cluster ? seedOrder(services.filter((s) => s.service === p.service && s.topology?.cluster === cluster)) : [];
    const offRoutes = members.flatMap((m) => (m.ports.cluster && !isLoopback(m.ports.cluster.host) ? [m.ports.cluster] : []));
    const routeAuth = members.length > 0 && (offRoutes.length > 0 || clusterPassword !== undefined);
    if (offRoutes.length) why.routes = `the routes of ${p.name} (cluster "${cluster}") reach ${offRoutes.map((port) => address(port)).join(', ')}, off loopback`;
    if (routeAuth && clusterPassword !== undefined) {
      const seeds = members.slice(0, ROUTE_SEEDS).flatMap((m) => (m.ports.cluster ? [routeWithCredentials(`nats-route://${address(m.ports.cluster)}`, clusterPassword)] : []));
      env[CLUSTER_PASSWORD_VAR] = confString(clusterPassword);
      env[routesVar(p)] = `[${seeds.map(confString).join(', ')}]`;
      secret.add(CLUSTER_PASSWORD_VAR).add(routesVar(p));
    }

    const offLeaf = hubs.flatMap((h) => (h.ports.leafnodes && !isLoopback(h.ports.leafnodes.host) ? [h.ports.leafnodes] : []));
    const leafAuth = hubs.length > 0 && (offLeaf.length > 0 || leafKeys !== undefined);
    if (offLeaf.length) {
      why.leaf =
        role === 'hub'
          ? `${p.name} accepts leaf connections on ${p.ports.leafnodes ? address(p.ports.leafnodes) : 'its leafnodes port'} (its cluster's hubs listen off loopback)`
          : `${p.name} connects to the hubs at ${offLeaf.map((port) => address(port)).join(', ')}, off loopback`;
    }
    if (leafAuth && leafKeys && role === 'leaf') {
      env[LEAF_SEED_VAR] = confString(leafKeys.seed);
      secret.add(LEAF_SEED_VAR);
    }
    const files = tls(p);
    const links: LinkSecurity = {
      routeAuth,
      leafAuth,
      ...(leafAuth && leafKeys && role === 'hub' ? { leafPublicKey: leafKeys.publicKey } : {}),
      why,
      ...(files ? { tls: files } : {}),
    };
    return { ...p, env, secretEnv: [...secret].sort(), links };
  });
}

/** A cluster's members by index: the seeds are the first ones, the same on every host. */
export function seedOrder<T extends Pick<PlannedService, 'topology'>>(members: readonly T[]): T[] {
  return [...members].sort((a, b) => (a.topology?.index ?? 0) - (b.topology?.index ?? 0));
}

const address = (port: { host: string; port: number }) => (port.host.includes(':') ? `[${port.host}]:${port.port}` : `${port.host}:${port.port}`);
