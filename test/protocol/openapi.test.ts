/**
 * The published API descriptions are generated from the zod schemas: the committed docs/openapi.json
 * and docs/ws-messages.schema.json must match what the schemas give today (regenerate with
 * `node --import tsx engine/server/write-api-schemas.ts`), the server must serve the same OpenAPI
 * document, and the document must list exactly the routes the server has.
 */
import { readFileSync } from 'node:fs';
import type { Express } from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROUTES, buildApiDocuments, buildOpenApi, buildWsJsonSchema, serializeDocument, type JsonObject } from '../../engine/protocol/openapi.ts';
import type { RunningServer } from '../../engine/server/app.ts';
import { ROOT } from '../helpers.ts';
import { get, startTestServer } from '../server/harness.ts';

describe('committed API documents', () => {
  for (const [name, document] of Object.entries(buildApiDocuments())) {
    it(`docs/${name} matches the zod schemas (run \`node --import tsx engine/server/write-api-schemas.ts\` if not)`, () => {
      expect(readFileSync(`${ROOT}docs/${name}`, 'utf8')).toBe(serializeDocument(document));
    });
  }
});

/** Every `$ref` in a document, with the JSON pointer it names resolved against the document. */
function refs(document: JsonObject): { ref: string; target: unknown }[] {
  const found: string[] = [];
  const walk = (value: unknown): void => {
    if (Array.isArray(value)) value.forEach(walk);
    else if (value !== null && typeof value === 'object') {
      for (const [key, inner] of Object.entries(value)) {
        if (key === '$ref' && typeof inner === 'string') found.push(inner);
        else walk(inner);
      }
    }
  };
  walk(document);
  return [...new Set(found)].map((ref) => ({
    ref,
    target: ref
      .replace(/^#\//, '')
      .split('/')
      .reduce<unknown>((node, part) => (node !== null && typeof node === 'object' ? (node as Record<string, unknown>)[part] : undefined), document),
  }));
}

describe('the documents', () => {
  it('OpenAPI: every reference resolves, and every request and response body has a schema', () => {
    const document = buildOpenApi();
    expect(document.openapi).toBe('3.1.0');
    const all = refs(document);
    expect(all.length).toBeGreaterThan(20);
    for (const { ref, target } of all) expect(target, ref).toBeTypeOf('object');
    const paths = document.paths as Record<string, Record<string, { responses: Record<string, { content?: Record<string, { schema?: unknown }> }> }>>;
    for (const [path, methods] of Object.entries(paths)) {
      for (const [method, operation] of Object.entries(methods)) {
        for (const [status, response] of Object.entries(operation.responses)) {
          for (const [type, media] of Object.entries(response.content ?? {})) expect(media.schema, `${method} ${path} ${status} ${type}`).toBeDefined();
        }
      }
    }
  });

  it('OpenAPI: the request bodies carry the command and field limits of the schemas', () => {
    const schemas = (buildOpenApi().components as { schemas: Record<string, { properties: Record<string, unknown> }> }).schemas;
    expect(schemas.CreateSessionRequest?.properties.speed).toMatchObject({ anyOf: [{ type: 'number', minimum: 0.5, maximum: 60 }, { type: 'null' }] });
    expect(schemas.CreateCampaignRequest?.properties.scenarioIds).toMatchObject({ type: 'array', minItems: 1, maxItems: 20 });
    // Durations in the scenario are sent as integer milliseconds.
    expect(schemas.PublicScenario?.properties.tick).toMatchObject({ type: 'integer' });
  });

  it('WebSocket: every reference resolves; client frames carry the command schema', () => {
    const document = buildWsJsonSchema();
    for (const { ref, target } of refs(document)) expect(target, ref).toBeTypeOf('object');
    const defs = document.$defs as Record<string, { properties: Record<string, { enum?: string[]; maxLength?: number }> }>;
    expect(defs.ActionMessage?.properties.action?.enum).toEqual(expect.arrayContaining(['ack', 'declare', 'rollback', 'approve']));
    expect(defs.ActionMessage?.properties.target?.maxLength).toBe(128);
    expect(Object.keys(defs)).toEqual(expect.arrayContaining(['ClientMessage', 'ServerMessage', 'WelcomeMessage', 'EventsMessage', 'EngineEvent']));
  });
});

describe('the served document', () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(async () => {
    await server.close();
  });

  it('GET /api/openapi.json is the generated document', async () => {
    const res = await get(server, '/api/openapi.json');
    expect(res.status).toBe(200);
    expect(res.json).toEqual(buildOpenApi());
  });

  it('lists exactly the routes the server has', () => {
    const app = server.http.listeners('request')[0] as Express;
    const served = new Set<string>();
    for (const layer of app.router.stack as { route?: { path: string; methods: Record<string, boolean> } }[]) {
      if (!layer.route) continue;
      for (const method of Object.keys(layer.route.methods)) served.add(`${method.toUpperCase()} ${layer.route.path}`);
    }
    const documented = new Set(ROUTES.map((r) => `${r.method.toUpperCase()} ${r.path}`));
    expect([...documented].sort()).toEqual([...served].sort());
  });
});
