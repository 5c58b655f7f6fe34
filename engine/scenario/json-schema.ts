/**
 * The published JSON Schemas, derived from the zod schemas (the single source of truth) so they cannot drift.
 * Editors use them for completion and inline validation of scenario and plan files (`$schema: ...`).
 * Pure: `write-json-schema.ts` writes the files, a test checks the committed files still match.
 */
import { z } from 'zod';
import { planSchema } from './plan.ts';
import { ID_PATTERN, scenarioSchema } from '../protocol/scenario.ts';

export type JsonSchema = Record<string, unknown>;

/** File name (under `scenarios/`) → schema. */
export function buildJsonSchemas(): Record<string, JsonSchema> {
  return {
    'scenario.schema.json': withExtends(build(scenarioSchema, 'scenario.schema.json', 'sevdrill scenario')),
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

/**
 * `extends` is a feature of scenario files, resolved by the loader before the zod schema sees the data
 * (engine/scenario/extends.ts), so it is added here rather than to scenarioSchema, which is also the wire
 * contract. A file that extends another inherits the required fields it leaves out: it needs only `id`.
 */
function withExtends(schema: JsonSchema): JsonSchema {
  const { properties, required, additionalProperties, ...rest } = schema;
  const extendsField = {
    type: 'string',
    pattern: ID_PATTERN.source,
    description: 'Builds this scenario on another in the same directory (<id>.yaml): every top-level field this file leaves out is taken from it, each one it sets replaces the base\'s whole. One level only.',
  };
  return {
    ...rest,
    properties: { ...(properties as JsonSchema), extends: extendsField },
    if: { required: ['extends'] },
    then: { required: ['id'] },
    else: { required },
    additionalProperties,
  };
}
