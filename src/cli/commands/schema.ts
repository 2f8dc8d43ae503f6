import { manifestJsonSchema } from '../../manifest/json-schema.js';

export async function schema(): Promise<void> {
  process.stdout.write(manifestJsonSchema());
}
