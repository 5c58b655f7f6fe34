/**
 * The published JSON Schemas, derived from the zod schemas (the single source of truth) so they cannot drift.
 * Editors use them for completion and inline validation of scenario and plan files (`$schema: ...`).
 * Pure: `write-json-schema.ts` writes the files, a test checks the committed files still match.
 */
import { z } from 'zod';
import { planSchema } from './plan.ts';
import { scenarioSchema } from '../protocol/scenario.ts';

export type JsonSchema = Record<string, unknown>;

/** File name (under `scenarios/`) → schema. */
export function buildJsonSchemas(): Record<string, JsonSchema> {
  return {
    'scenario.schema.json': build(scenarioSchema, 'scenario.schema.json', 'sevdrill scenario'),
    'plan.schema.json': build(planSchema, 'plan.schema.json', 'sevdrill plan'),
  };
}

/** Pretty-printed with a trailing newline, the exact text of the committed file. */
export function serializeJsonSchema(schema: JsonSchema): string {
  return `${JSON.stringify(schema, null, 2)}\n`;
}

function build(schema: z.ZodType, id: string, title: string): JsonSchema {
  // io 'input': files are written before defaults and duration parsing apply, so describe what authors write.
  const { $schema, ...rest } = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as JsonSchema;
  // A relative $id: the schemas are published next to the scenarios, not at a URL of their own.
  return { $schema, $id: id, title, ...rest };
}
