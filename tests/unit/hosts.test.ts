/** Issue 15, part 1: the hosts file (schema, checks, JSON Schema) and which host `core` runs as. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { hostsJsonSchema } from '../../src/hosts/json-schema.js';
import { readHostsFile } from '../../src/hosts/load.js';
import { foreignAddress } from '../../src/hosts/local-address.js';
import { chooseHost, validateHosts, type LoadedHosts } from '../../src/hosts/validate.js';
import { formatIssue, InputError, IssuesError } from '../../src/support/errors.js';
import { parseSettings } from '../../src/support/settings.js';
import { REPO } from '../helpers/stack.js';

const check = (json: unknown) => validateHosts('hosts.json', typeof json === 'string' ? json : JSON.stringify(json));
const issues = (json: unknown) => {
  const result = check(json);
  if (result.ok) throw new Error('no issue raised');
  return result.issues.map(formatIssue);
};

describe('hosts file', () => {
  it('takes hosts with an address (IPv4, IPv6, DNS name) and a region', () => {
    const result = check({
      $schema: './schema/hosts.schema.json',
      hosts: { a: { address: '10.0.0.1', region: 'iad' }, b: { address: 'fd00::2', region: 'iad' }, c: { address: 'lhr-1.example.com', region: 'lhr', description: 'London' } },
    });
    expect(result.ok && Object.keys(result.hosts.hosts)).toEqual(['a', 'b', 'c']);
  });

  it.each([
    ['10.0.0.300', 'is not an IP address or a host name'],
    ['[fd00::1]', 'is not an IP address or a host name (an IPv6 address goes without brackets)'],
    ['my host', 'is not an IP address or a host name'],
    ['0.0.0.0', 'is every interface, not an address other hosts can reach'],
    ['::', 'is every interface'],
  ])('refuses the address %s, naming file and path', (address, message) => {
    const [line] = issues({ hosts: { a: { address, region: 'iad' } } });
    expect(line).toContain(`hosts.json: hosts.a.address: "${address}" ${message}`);
  });

  it('refuses two hosts with one address (case apart)', () => {
    expect(issues({ hosts: { a: { address: 'Node.example', region: 'iad' }, b: { address: 'node.example', region: 'iad' } } })).toEqual([
      `hosts.json: hosts.b.address: "node.example" is host "a"'s address too: every host needs its own`,
    ]);
  });

  it('names unknown keys with the nearest allowed one, a bad region and a bad host name', () => {
    expect(issues({ hosts: { a: { adress: '10.0.0.1', region: 'IAD' }, B_1: { address: '10.0.0.2', region: 'iad' } }, extra: 1 })).toEqual([
      'hosts.json: hosts.a.address: is required',
      'hosts.json: hosts.a.region: a region is lower-case letters and digits',
      'hosts.json: hosts.a: unknown key "adress"; did you mean "address"?',
      'hosts.json: hosts.B_1: key "B_1": host names are lower-case letters, digits and dashes',
      'hosts.json: unknown key "extra" (allowed here: $schema, hosts, tls)',
    ]);
  });

  it('refuses an empty list, a missing address and text that is not JSON (with its position, not its text)', () => {
    expect(issues({ hosts: {} }).join('\n')).toContain('hosts.json: hosts: name at least one host');
    expect(issues({ hosts: { a: { region: 'iad' } } }).join('\n')).toContain('hosts.a.address');
    expect(issues('{"hosts": {"a": secret}}')).toEqual([expect.stringMatching(/^hosts\.json: not valid JSON: expected a value \(line 1, column 17\)$/)]);
    expect(issues('{"hosts": {"a": secret}}').join('')).not.toContain('secret');
  });

  it('chooses the host named by --host / CORE_HOST_NAME, and names the hosts when it is none of them', () => {
    const hosts: LoadedHosts = { file: 'hosts.json', hosts: { b: { address: '10.0.0.2', region: 'iad' }, a: { address: '10.0.0.1', region: 'iad' } } };
    expect(chooseHost(hosts, 'a', '--host')).toEqual({ ok: true, host: 'a' });
    expect(chooseHost(hosts, undefined, '--host')).toEqual({ ok: true, host: undefined });
    expect(chooseHost(hosts, 'c', '--host')).toEqual({ ok: false, issue: { file: 'hosts.json', path: 'hosts', message: '--host "c" names no host here (hosts: a, b)' } });
  });

  it('shipped JSON Schema is up to date (regenerate: ./core schema hosts > schema/hosts.schema.json)', () => {
    expect(fs.readFileSync(path.join(REPO, 'schema/hosts.schema.json'), 'utf8')).toBe(hostsJsonSchema());
    const schema = JSON.parse(hostsJsonSchema());
    expect(schema.properties.hosts.additionalProperties.required).toEqual(['address', 'region']);
    expect(schema.additionalProperties).toBe(false);
  });
});

describe('reading the hosts file', () => {
  const project = () => fs.mkdtempSync(path.join(os.tmpdir(), 'core-hosts-'));

  it('without one: nothing (one implicit local host); CORE_HOSTS_FILE naming a missing file: exit 2', () => {
    const root = project();
    try {
      expect(readHostsFile(parseSettings({ root, processEnv: {} }))).toBeUndefined();
      const settings = parseSettings({ root, processEnv: { CORE_HOSTS_FILE: 'elsewhere/hosts.json' } });
      expect(settings.hostsFile).toBe(path.join(root, 'elsewhere/hosts.json'));
      expect(() => readHostsFile(settings)).toThrow(InputError);
      expect(() => readHostsFile(settings)).toThrow(`CORE_HOSTS_FILE: ${path.join(root, 'elsewhere/hosts.json')} does not exist`);
    } finally {
      fs.rmSync(root, { recursive: true });
    }
  });

  it('reads hosts.json at the root, or the file CORE_HOSTS_FILE names, and reports its problems by file', () => {
    const root = project();
    try {
      fs.writeFileSync(path.join(root, 'hosts.json'), JSON.stringify({ hosts: { a: { address: '10.0.0.1', region: 'iad' } } }));
      expect(readHostsFile(parseSettings({ root, processEnv: {} }))).toEqual({ file: 'hosts.json', hosts: { a: { address: '10.0.0.1', region: 'iad' } } });
      fs.mkdirSync(path.join(root, 'deploy'));
      fs.writeFileSync(path.join(root, 'deploy/prod.json'), JSON.stringify({ hosts: { a: { address: 'nowhere!', region: 'iad' } } }));
      const error = (() => {
        try {
          readHostsFile(parseSettings({ root, processEnv: { CORE_HOSTS_FILE: 'deploy/prod.json' } }));
        } catch (e) {
          return e;
        }
      })();
      expect(error).toBeInstanceOf(IssuesError);
      expect((error as IssuesError).details).toEqual(['deploy/prod.json: hosts.a.address: "nowhere!" is not an IP address or a host name (an IPv6 address goes without brackets)']);
      expect(error).toHaveProperty('exitCode', 2);
    } finally {
      fs.rmSync(root, { recursive: true });
    }
  });

  it('CORE_HOST_NAME is a setting', () => {
    expect(parseSettings({ root: '/p', processEnv: { CORE_HOST_NAME: 'iad-1' } }).hostName).toBe('iad-1');
    expect(parseSettings({ root: '/p', processEnv: {} }).hostName).toBeUndefined();
  });
});

describe("this machine's addresses", () => {
  const interfaces = [
    { address: '127.0.0.1', cidr: '127.0.0.1/8', family: 'IPv4' as const },
    { address: '10.0.0.2', cidr: '10.0.0.2/24', family: 'IPv4' as const },
    { address: 'fd00::2', cidr: 'fd00::2/64', family: 'IPv6' as const },
  ];

  it('an address in one of its subnets is its own (127.0.0.12 is loopback), a DNS name is not judged', () => {
    for (const address of ['127.0.0.12', '10.0.0.2', 'fd00::2', 'fd00::9', 'iad-2.example.com']) expect(foreignAddress(address, interfaces)).toBeUndefined();
  });

  it("another is refused with this machine's addresses", () => {
    expect(foreignAddress('10.0.1.1', interfaces)).toEqual(['127.0.0.1', '10.0.0.2', 'fd00::2']);
    expect(foreignAddress('fd01::1', interfaces)).toEqual(['127.0.0.1', '10.0.0.2', 'fd00::2']);
  });
});
