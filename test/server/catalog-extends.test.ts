/**
 * The catalog and `extends`: a derived file is checked with the base beside it, on this thread at
 * startup and on the validation workers afterwards, and is checked again when its base is edited,
 * removed or added back, though its own text did not change.
 */
import { mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Catalog, checkOnWorkers, type CatalogOptions } from '../../engine/server/catalog.ts';
import { createLogger } from '../../engine/server/logger.ts';
import { ValidationPool } from '../../engine/server/validate-pool.ts';
import { ROOT } from '../helpers.ts';
import { until } from './harness.ts';

const STORM = readFileSync(join(ROOT, 'scenarios/checkout-retry-storm.yaml'), 'utf8');
const base = (seed: number) => STORM.replace(/^id: checkout-retry-storm$/m, 'id: storm').replace(/^seed: 11$/m, `seed: ${seed}`);
const DERIVED = 'id: storm-late\nextends: storm\ntitle: The storm, an hour later\ntraffic: { startAt: "20:30" }\n';
const quiet = createLogger({ level: 'silent' });
/** The path as the catalog shows it: relative to the working directory when inside it. */
const shown = (path: string) => (relative(process.cwd(), path).startsWith('..') ? path : relative(process.cwd(), path));

const cleanup: (() => unknown)[] = [];
afterEach(async () => {
  for (const step of cleanup.splice(0)) await step();
});

function setUp(options: Partial<CatalogOptions> = {}): { dir: string; catalog: Catalog } {
  const dir = mkdtempSync(join(tmpdir(), 'sevdrill-extends-'));
  writeFileSync(join(dir, 'storm.yaml'), base(11));
  writeFileSync(join(dir, 'storm-late.yaml'), DERIVED);
  const catalog = new Catalog([dir], quiet, { debounceMs: 10, ...options });
  catalog.watch();
  cleanup.push(() => catalog.close(), () => rmSync(dir, { recursive: true, force: true }));
  return { dir, catalog };
}

describe('a catalog with a base and a file that extends it', () => {
  it('lists both; the derived scenario inherits what it does not set', () => {
    const { catalog } = setUp();
    expect(catalog.broken()).toEqual([]);
    expect(catalog.list().map((s) => s.id).sort()).toEqual(['storm', 'storm-late']);
    const stormy = catalog.get('storm');
    const late = catalog.get('storm-late');
    expect(late?.title).toBe('The storm, an hour later');
    expect(late?.traffic.startAt).toBe('20:30');
    expect(late?.services).toEqual(stormy?.services);
    expect(late?.seed).toBe(11);
  });

  for (const where of ['this thread', 'the validation workers'] as const) {
    it(`checks the derived file again when its base is edited, removed and added back (on ${where})`, async () => {
      let load: CatalogOptions['load'];
      if (where === 'the validation workers') {
        const limits = { workers: 1, timeoutMs: 20_000, maxOldGenerationMb: 256, maxQueue: 16 };
        const pool = new ValidationPool(limits);
        cleanup.push(() => pool.close());
        load = checkOnWorkers(pool, limits, () => false);
      }
      const { dir, catalog } = setUp(load === undefined ? {} : { load });

      writeFileSync(join(dir, 'storm.yaml'), base(4242));
      await until(() => catalog.get('storm-late')?.seed === 4242, 15_000);

      unlinkSync(join(dir, 'storm.yaml'));
      await until(() => catalog.get('storm-late') === undefined, 15_000);
      const broken = catalog.broken().find((b) => b.file === shown(join(dir, 'storm-late.yaml')));
      expect(broken?.messages).toEqual([
        `${shown(join(dir, 'storm-late.yaml'))}:2:10: unknown base scenario "storm": there is no storm.yaml (or .yml, .json) in this file's directory (at extends)`,
      ]);

      // Broken on its own terms: the derived file reports the base's problem in the base file.
      writeFileSync(join(dir, 'storm.yaml'), base(7).replace(/^tick: 10s$/m, 'tick: often'));
      await until(() => catalog.broken().some((b) => b.messages.some((m) => m.includes('inherits from'))), 15_000);
      const lines = catalog.broken().find((b) => b.file === shown(join(dir, 'storm-late.yaml')))?.messages ?? [];
      expect(lines[0]).toMatch(/:2:10: the fields this scenario inherits from .*storm\.yaml have errors/);
      expect(lines[1]).toMatch(new RegExp(`^${shown(join(dir, 'storm.yaml')).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:41:7: `));

      writeFileSync(join(dir, 'storm.yaml'), base(7));
      await until(() => catalog.get('storm-late')?.seed === 7, 15_000);
      expect(catalog.broken()).toEqual([]);
    });
  }
});
