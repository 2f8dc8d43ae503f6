/**
 * The hosts file (`hosts.json` at the project root, or CORE_HOSTS_FILE): the
 * machines one stack runs on, each with the address the others reach it at and
 * its region. The JSON Schema shipped in `schema/hosts.schema.json` is
 * generated from this one definition (`core schema hosts`).
 */
import net from 'node:net';
import { z } from 'zod';
import { REGION } from '../manifest/topology.js';

/** A host name also names the host on the command line (`--host iad-1`) and in `core plan`. */
export const HOST_NAME = /^[a-z][a-z0-9-]*$/;
/**
 * The order hosts are taken in (placement, tables): by name, a run of digits by
 * its number, so `iad-10` comes after `iad-9` and a host added as the next
 * number comes last and moves no process of the others. Written out rather
 * than `Intl.Collator`'s numeric option: the order must be the same on every
 * host, whatever ICU data its Node carries.
 */
export function byHostName(a: string, b: string): number {
  const parts = (s: string) => s.match(/\d+|\D+/g) ?? [];
  const pa = parts(a);
  const pb = parts(b);
  for (let i = 0; i < Math.min(pa.length, pb.length); i++) {
    const x = pa[i]!;
    const y = pb[i]!;
    if (x === y) continue;
    const numeric = /^\d/.test(x) && /^\d/.test(y);
    if (numeric && Number(x) !== Number(y)) return Number(x) - Number(y);
    return x < y ? -1 : 1;
  }
  return pa.length - pb.length || (a < b ? -1 : a > b ? 1 : 0);
}

/** A DNS name: labels of letters, digits and dashes. */
const DNS_NAME = /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;

/** Why an address cannot be a host's, or undefined. */
export function addressProblem(address: string): string | undefined {
  // `10.0.0.300` reads as a DNS name, but nobody means one: an IPv4 address with a typo.
  if (net.isIP(address) === 0 && (!DNS_NAME.test(address) || /^[\d.]+$/.test(address)))
    return `"${address}" is not an IP address or a host name (an IPv6 address goes without brackets)`;
  // The other hosts connect to it: an address that means "every interface" names no machine.
  if (address === '0.0.0.0' || address === '::') return `"${address}" is every interface, not an address other hosts can reach: give this host's own address`;
  return undefined;
}

export const HostSchema = z
  .strictObject({
    address: z
      .string()
      .superRefine((address, ctx) => {
        const problem = addressProblem(address);
        if (problem) ctx.addIssue({ code: 'custom', message: problem });
      })
      .describe(
        'The address the other hosts reach this one at (an IP address or a DNS name). Its cross-host listeners (NATS routes and leaf nodes, …) bind to it; monitoring and the control socket stay on loopback.',
      ),
    region: z
      .string()
      .regex(REGION, 'a region is lower-case letters and digits')
      .describe("The host's region: the NATS hub region's hosts run the hubs, a leaf region's hosts its leaf nodes."),
    description: z.string().optional().describe('One line on what this machine is.'),
  })
  .describe('One machine of the stack.');
export type Host = z.infer<typeof HostSchema>;

/** `{host}` in a path is the host's name: one file names every host's certificate. */
export const HOST_IN_PATH = '{host}';

const tlsPath = (what: string) => z.string().min(1).describe(`${what}: a PEM file, relative to the project root or absolute; \`${HOST_IN_PATH}\` is replaced by the host's name.`);

export const TlsSchema = z
  .strictObject({
    ca: tlsPath("The CA that signed every host's certificate (each side checks the other's against it)"),
    cert: tlsPath("The host's certificate; it must name the host's address (an IP SAN for an IP address)"),
    key: tlsPath("The host's private key"),
  })
  .describe('TLS for NATS routes and leaf connections, with certificates you provide: both sides present one (mutual TLS). docs/hosts.md#tls.');
export type Tls = z.infer<typeof TlsSchema>;

export const HostsFileSchema = z
  .strictObject({
    $schema: z.string().optional().describe('Path of the JSON Schema, for editors.'),
    hosts: z
      .record(z.string().regex(HOST_NAME, 'host names are lower-case letters, digits and dashes'), HostSchema)
      .refine((hosts) => Object.keys(hosts).length > 0, 'name at least one host')
      .describe('The machines, by name (`core up --host <name>`, CORE_HOST_NAME).'),
    tls: TlsSchema.optional(),
  })
  .describe('The hosts a core stack runs on (hosts.json at the project root, or CORE_HOSTS_FILE); docs/hosts.md.');
export type HostsFile = z.infer<typeof HostsFileSchema>;
