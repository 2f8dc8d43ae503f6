/** The StackPlan: manifests with every placeholder resolved, ports fixed, order known. */
import type { DependencyCondition, ComposeKeys } from '../manifest/compose-keys.js';
import type { Binary } from '../manifest/schema.js';

export interface PlannedPort {
  readonly port: number;
  readonly protocol: string;
  readonly host: string;
}

export type PlannedProbeCheck =
  | {
      readonly kind: 'http';
      readonly scheme: 'http' | 'https';
      readonly host: string;
      readonly port: number;
      readonly path: string;
      readonly headers?: Readonly<Record<string, string>>;
      readonly status: number;
    }
  | { readonly kind: 'exec'; readonly argv: readonly string[]; readonly workingDir?: string }
  | { readonly kind: 'tcp'; readonly host: string; readonly port: number };

export interface PlannedProbe {
  readonly check: PlannedProbeCheck;
  readonly initialDelaySeconds: number;
  readonly periodSeconds: number;
  readonly timeoutSeconds: number;
  readonly successThreshold: number;
  readonly failureThreshold: number;
}

/** A process's place in its service's topology (a NATS cluster node, hub or leaf). */
export interface ProcessTopology {
  readonly role: 'single' | 'node' | 'hub' | 'leaf';
  /** Its ports are the declared ones + index: cluster nodes and hubs 0, 1, …; leaves 100, 101, … (nats-topology.ts). */
  readonly index: number;
  /** Leaves: their region, also their JetStream domain. */
  readonly region?: string;
  /** The JetStream domain (hubs and leaves of hub-spoke). */
  readonly domain?: string;
  /** The cluster it is a member of, if any (nodes, hubs, the leaves of a region with more than one). */
  readonly cluster?: string;
}

/**
 * One process of the stack. Most services run as one process of the same
 * name; a service whose topology expands (NATS cluster, hub-spoke) runs as
 * several, each planned here with its own name, ports, files, log and state.
 */
export interface PlannedService {
  /** The process name (`nats`, `nats-2`, `nats-leaf-lhr`): unique in the stack. */
  readonly name: string;
  /** The manifest it comes from (`nats`); equals `name` unless the service expands. */
  readonly service: string;
  readonly topology?: ProcessTopology;
  readonly description: string;
  /** Manifest path relative to the root, for messages. */
  readonly file: string;
  readonly renderer?: 'nats' | 'caddy' | 'pocketbase';
  readonly binaries: readonly Binary[];
  /** `${dep.<name>}` of each binary: `<depDir>/<name>`. */
  readonly binaryPaths: Readonly<Record<string, string>>;
  readonly command: string;
  readonly args: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  /** Env keys whose values must never be written or shown (they hold secrets). */
  readonly secretEnv: readonly string[];
  readonly workingDir: string;
  readonly ports: Readonly<Record<string, PlannedPort>>;
  readonly dependsOn: Readonly<Record<string, DependencyCondition>>;
  readonly readiness?: PlannedProbe;
  readonly liveness?: PlannedProbe;
  /** process-compose keys kept as they are (availability, shutdown, ready_log_line, …). */
  readonly compose: Omit<ComposeKeys, 'depends_on' | 'readiness_probe' | 'liveness_probe'>;
  readonly config: Readonly<Record<string, unknown>>;
  /** `process.watch`: absolute paths; a change restarts this process. */
  readonly watch?: PlannedWatch;
  /** A NATS process with routes or leaf connections: how they authenticate (src/services/nats-security.ts). */
  readonly links?: LinkSecurity;
}

/** How a NATS process's routes and leaf connections are secured (planned by src/services/nats-security.ts, written by nats.ts). */
export interface LinkSecurity {
  /** Routes authenticate as user `core`; the explicit routes are the seeds, in the environment. */
  readonly routeAuth: boolean;
  /** Hub: leaf connections must sign with `leafPublicKey`; leaf: its remotes sign with the seed in its environment. */
  readonly leafAuth: boolean;
  /** Hub, with leafAuth and CORE_NATS_LEAF_PASSWORD set: the public nkey it accepts (not a secret). */
  readonly leafPublicKey?: string;
  /** Why they authenticate when they must (they leave loopback), for the message when a password is missing. */
  readonly why: { readonly routes?: string; readonly leaf?: string };
  /** The user's certificates (hosts.json `tls`), for this process's host, absolute. */
  readonly tls?: TlsFiles;
}

export interface TlsFiles {
  readonly ca: string;
  readonly cert: string;
  readonly key: string;
}

export interface PlannedWatch {
  readonly paths: readonly string[];
  readonly ignore: readonly string[];
  readonly debounceMs: number;
}

export interface StackPlan {
  readonly root: string;
  readonly dataDir: string;
  readonly stackDir: string;
  readonly depDir: string;
  /** Services in dependency order (dependencies first, then by name). */
  readonly services: readonly PlannedService[];
  /** How a generated helper process runs `core` itself: [node, entry]. */
  readonly self: readonly string[];
  /** With a hosts file: the host this plan is for; `services` are its processes only (src/hosts/). */
  readonly host?: string;
  /** With a host: every process of the stack, on every host (NATS routes and leaf remotes link to them). */
  readonly all?: readonly PlannedService[];
}
