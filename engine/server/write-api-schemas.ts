/**
 * Writes docs/openapi.json and docs/ws-messages.schema.json from the zod schemas; the content comes
 * from the pure buildApiDocuments() (engine/protocol/openapi.ts). Run it after changing a wire schema:
 * `node --import tsx engine/server/write-api-schemas.ts` (test/protocol/openapi.test.ts fails while a
 * committed file is stale).
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { buildApiDocuments, serializeDocument } from '../protocol/openapi.ts';

const docs = fileURLToPath(new URL('../../docs/', import.meta.url));
for (const [name, document] of Object.entries(buildApiDocuments())) {
  writeFileSync(docs + name, serializeDocument(document));
  console.log(`wrote docs/${name}`);
}
