import { describe, expect, it } from 'vitest';
import { parsePlaceholders, resolvePlaceholders, type PlaceholderScope } from '../../src/plan/placeholders.js';

const scope: PlaceholderScope = {
  dep: (name) => ({ 'nats-server': '/p/.dep/nats-server' })[name],
  data: '/p/.data',
  stack: '/p/.core-stack',
  env: (name) => ({ HOME: '/home/u', EMPTY: '', HOSTILE: '$(touch x) `id` {{.}}' })[name],
  port: (service, port, field) => {
    const ports: Record<string, Record<string, { port: number; host: string }>> = {
      self: { http: { port: 8090, host: '127.0.0.1' } },
      nats: { client: { port: 4222, host: '127.0.0.2' } },
    };
    const found = ports[service ?? 'self']?.[port];
    return found && (field === 'host' ? found.host : String(found.port));
  },
  describe: (p) => `no such ${p.kind}`,
};

describe('placeholders resolve', () => {
  it.each([
    ['plain text', 'plain text'],
    ['${dep.nats-server}', '/p/.dep/nats-server'],
    ['${data}/nats', '/p/.data/nats'],
    ['${stack}/nats/nats.conf', '/p/.core-stack/nats/nats.conf'],
    ['${env.HOME}', '/home/u'],
    ['${env.EMPTY}', ''],
    ['${env.EMPTY:-fallback}', 'fallback'],
    ['${env.UNSET:-fallback}', 'fallback'],
    ['${env.UNSET:-}', ''],
    ['${env.HOME:-fallback}', '/home/u'],
    ['${env.UNSET:-a:b/c d}', 'a:b/c d'],
    ['${env.HOSTILE}', '$(touch x) `id` {{.}}'],
    ['${port.http}', '8090'],
    ['${port.http.host}:${port.http}', '127.0.0.1:8090'],
    ['${svc.nats.port.client}', '4222'],
    ['${svc.nats.port.client.host}', '127.0.0.2'],
    ['$${literal}', '${literal}'],
    ['cost: $5 and $HOME', 'cost: $5 and $HOME'],
    ['$$${data}', '$${data}'],
    ['$ ${data}', '$ /p/.data'],
    ['a${data}b${data}c', 'a/p/.datab/p/.datac'],
  ])('%s → %s', (input, expected) => {
    expect(resolvePlaceholders(input, scope)).toEqual({ ok: true, value: expected });
  });
});

describe('placeholder errors', () => {
  it.each([
    ['${env.UNSET}', 'cannot resolve "${env.UNSET}"'],
    ['${dep.caddy}', 'cannot resolve "${dep.caddy}"'],
    ['${port.nope}', 'cannot resolve "${port.nope}"'],
    ['${svc.nope.port.http}', 'cannot resolve "${svc.nope.port.http}"'],
    ['${svc.nats.port.nope}', 'cannot resolve "${svc.nats.port.nope}"'],
    ['${data', 'unterminated placeholder "${data"'],
    ['x ${env.HOME', 'unterminated placeholder'],
    ['${}', 'unknown placeholder "${}" (empty)'],
    ['${foo}', 'unknown placeholder "${foo}"'],
    ['${env.}', 'unknown placeholder "${env.}"'],
    ['${env.1BAD}', 'unknown placeholder "${env.1BAD}"'],
    ['${port}', 'unknown placeholder "${port}"'],
    ['${dep.}', 'unknown placeholder "${dep.}"'],
    ['${dep.../x}', 'unknown placeholder "${dep.../x}"'],
    ['${svc.nats.client}', 'unknown placeholder "${svc.nats.client}"'],
    ['${DATA}', 'unknown placeholder "${DATA}"'],
  ])('%s', (input, message) => {
    const result = resolvePlaceholders(input, scope);
    expect(result.ok).toBe(false);
    expect(result.ok ? '' : result.error).toContain(message);
  });
});

describe('parsePlaceholders', () => {
  it('keeps literal text and placeholders apart', () => {
    expect(parsePlaceholders('a ${env.X:-y} b')).toEqual({
      ok: true,
      segments: ['a ', { raw: '${env.X:-y}', placeholder: { kind: 'env', name: 'X', fallback: 'y' } }, ' b'],
    });
  });
});
