/**
 * Rating seeds by difficulty runs beside live drills (difficulty-cache.ts): its simulations are on a
 * worker thread, so a running drill's ticks keep their time while every shipped scenario is rated.
 * Timed (vitest.config.ts): it runs alone, or the test runner would be measured.
 */
import { describe, expect, it } from 'vitest';
import type { ScenarioList } from '../../engine/protocol/messages.ts';
import { createDrill, get, until, withServer } from './harness.ts';
import { lateness, recordTicks, timeDurableWrites } from './timing.ts';

/** The bar for a drill's ticks, as for floods and validations. */
const MAX_TICK_LATENESS_MS = 100;

describe('rating seeds in the background', () => {
  it("delays a running drill's ticks by at most 100 ms", async () => {
    await withServer(
      async (server) => {
        const created = await createDrill(server, { scenarioId: 'retail-sev1', speed: 60 });
        const drill = server.registry.get(created.sessionId);
        if (!drill) throw new Error('no live drill');
        const f = drill.roster.facilitator;
        expect(drill.submit({ actor: f.name, participant: f.id, type: 'start' }).ok).toBe(true);
        const ticks = recordTicks(drill);
        const writes = timeDurableWrites();
        const started = performance.now();
        const statuses = async () => ((await get(server, '/api/scenarios')).json as ScenarioList).scenarios.map((s) => s.difficulty?.status);
        try {
          // It must still be rating when the window opens, or the window proves nothing.
          expect(await statuses()).toContain('pending');
          await until(async () => (await statuses()).every((s) => s === 'ready'), 120_000, 200);
        } finally {
          writes.restore();
        }
        const finished = performance.now();
        const late = lateness(ticks, writes.spans, started, finished);
        console.log(
          `[difficulty] 4 scenarios × 40 seeds rated in ${((finished - started) / 1000).toFixed(1)} s beside a drill at speed 60: ` +
            `${late.ticks} ticks, worst ${late.worst.toFixed(0)} ms late (median ${late.median.toFixed(0)} ms)`,
        );
        // At speed 60 a 10 s tick is due every 167 ms: the drill ticked all along.
        expect(late.ticks).toBeGreaterThanOrEqual(Math.floor(((finished - started) / 167) * 0.8));
        expect(late.worst).toBeLessThanOrEqual(MAX_TICK_LATENESS_MS);
      },
      { difficulty: { seeds: 40, workers: 1 } },
    );
  });
});
