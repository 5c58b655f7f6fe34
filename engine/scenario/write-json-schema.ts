/**
 * `npm run schema`: writes scenarios/*.schema.json from the zod schemas.
 * The only file under engine/scenario allowed to do I/O; the content comes from the pure buildJsonSchemas().
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { buildJsonSchemas, serializeJsonSchema } from './json-schema.ts';

const outDir = fileURLToPath(new URL('../../scenarios/', import.meta.url));
for (const [name, schema] of Object.entries(buildJsonSchemas())) {
  writeFileSync(outDir + name, serializeJsonSchema(schema));
  console.log(`wrote scenarios/${name}`);
}
