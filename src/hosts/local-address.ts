/**
 * Whether a host's address belongs to this machine, checked before `core up
 * --host` binds anything: a wrong `--host` (or a copied `.env`) would
 * otherwise surface as EADDRNOTAVAIL on every port. A DNS name is not resolved
 * here (the ports check binds it and says so).
 */
import net from 'node:net';
import os from 'node:os';

export interface InterfaceAddress {
  readonly address: string;
  /** CIDR, as os.networkInterfaces() gives it (`127.0.0.1/8`). */
  readonly cidr: string | null;
  readonly family: 'IPv4' | 'IPv6';
}

/** Pure: undefined when `address` is in one of the interfaces' subnets (or is a name), else this machine's addresses. */
export function foreignAddress(address: string, interfaces: readonly InterfaceAddress[]): string[] | undefined {
  const family = net.isIP(address);
  if (family === 0) return undefined;
  const own = new net.BlockList();
  for (const i of interfaces) {
    const [base, prefix] = (i.cidr ?? `${i.address}/${i.family === 'IPv4' ? 32 : 128}`).split('/');
    own.addSubnet(base!, Number(prefix), i.family === 'IPv4' ? 'ipv4' : 'ipv6');
  }
  return own.check(address, family === 4 ? 'ipv4' : 'ipv6') ? undefined : interfaces.map((i) => i.address);
}

export function machineInterfaces(): InterfaceAddress[] {
  return Object.values(os.networkInterfaces()).flatMap((list) => (list ?? []).map((i) => ({ address: i.address, cidr: i.cidr, family: i.family })));
}
