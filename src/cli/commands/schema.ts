import { hostsJsonSchema } from '../../hosts/json-schema.js';
import { manifestJsonSchema } from '../../manifest/json-schema.js';

export async function schema(file: 'service' | 'hosts' = 'service'): Promise<void> {
  process.stdout.write(file === 'hosts' ? hostsJsonSchema() : manifestJsonSchema());
}
