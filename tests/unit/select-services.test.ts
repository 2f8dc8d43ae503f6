import { describe, expect, it } from 'vitest';
import { selectServices } from '../../src/cli/prepare.js';
import { planFor, repoManifestFiles } from '../helpers/stack.js';

const disable = (dir: string) =>
  repoManifestFiles().map((file) => {
    if (file.dir !== dir) return file;
    const manifest = JSON.parse(file.text!);
    manifest.process.compose.disabled = true;
    return { ...file, text: JSON.stringify(manifest) };
  });
const names = (files = repoManifestFiles(), wanted: string[] = [], alone = false) => selectServices({ plan: planFor(files) } as never, wanted, alone).map((s) => s.name);

describe('selectServices', () => {
  it('takes everything, in dependency order, or the named services with their dependencies', () => {
    expect(names()).toEqual(['nats', 'pocketbase', 'caddy']);
    expect(names(undefined, ['pocketbase'])).toEqual(['nats', 'pocketbase']);
    expect(names(undefined, ['caddy'], true)).toEqual(['caddy']);
  });

  it('leaves a disabled service out unless it is named, as process-compose does', () => {
    expect(names(disable('caddy'))).toEqual(['nats', 'pocketbase']);
    expect(names(disable('caddy'), ['caddy'])).toEqual(['nats', 'pocketbase', 'caddy']);
    expect(names(disable('nats'), ['pocketbase'])).toEqual(['pocketbase']);
  });

  it('names unknown services', () => {
    expect(() => names(undefined, ['redis'])).toThrow('unknown service: redis');
  });
});
