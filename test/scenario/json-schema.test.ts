import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildJsonSchemas, serializeJsonSchema } from '../../engine/scenario/json-schema.ts';

describe('published JSON Schemas', () => {
  const schemas = buildJsonSchemas();

  it('writes both schemas', () => {
    expect(Object.keys(schemas).sort()).toEqual(['plan.schema.json', 'scenario.schema.json']);
  });

  for (const [name, schema] of Object.entries(schemas)) {
    it(`scenarios/${name} matches the zod schema (run \`npm run schema\` after changing it)`, () => {
      expect(readFileSync(`scenarios/${name}`, 'utf8')).toBe(serializeJsonSchema(schema));
    });
  }

  it('is valid JSON describing the scenario fields', () => {
    const parsed = JSON.parse(readFileSync('scenarios/scenario.schema.json', 'utf8')) as Record<string, unknown>;
    expect(parsed.$id).toBe('scenario.schema.json');
    expect(parsed.title).toBeTypeOf('string');
    const properties = parsed.properties as Record<string, unknown>;
    expect(properties.services).toMatchObject({ type: 'array' });
    expect(parsed.additionalProperties).toBe(false);
  });

  it('describes plans', () => {
    const parsed = JSON.parse(readFileSync('scenarios/plan.schema.json', 'utf8')) as { properties: Record<string, unknown> };
    expect(parsed.properties.commands).toMatchObject({ type: 'array' });
  });
});
