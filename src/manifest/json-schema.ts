/** The manifest's JSON Schema, generated from the zod schema (never written by hand). */
import { z } from 'zod';
import { ManifestSchema } from './schema.js';

export function manifestJsonSchema(): string {
  const schema = z.toJSONSchema(ManifestSchema, { io: 'input', target: 'draft-2020-12' });
  return `${JSON.stringify({ ...schema, $id: 'https://core.local/schema/service.schema.json', title: 'core service manifest' }, null, 2)}\n`;
}
