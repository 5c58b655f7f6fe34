/**
 * Seeded variation: a scenario spec's ranges and choices (protocol/vary.ts) drawn once for a seed, when
 * a session is created. Each field draws from its own stream, `<seed>:vary:<path>`, so adding a varied
 * field never changes what another field draws. The values drawn are returned as `variation`, keyed by
 * path, for the log header and the facilitator: a log carries the scenario as it ran, so replay never
 * draws again.
 *
 * Resolving a scenario that has nothing to vary gives an equal scenario and an empty variation, so a
 * resolved scenario (a log's) can be given wherever a spec can.
 */
import type { Scenario, ScenarioSpec } from '../protocol/scenario.ts';
import { needsResolving, resolveWith, type Variation, type VariedChoice, type VariedRange, type VariedValue } from '../protocol/varied.ts';
import { createStream } from './physics/rng.ts';

export interface ResolvedScenario {
  scenario: Scenario;
  variation: Variation;
}

/**
 * Specs known to need no resolving (a log's scenario, a generated one): resolving them is the identity,
 * so replays, twins and benches share the one object, as they did before variation, instead of copying
 * it for every session. Sessions never write to their scenario.
 */
const settled = new WeakSet<object>();

export function resolveScenario(spec: ScenarioSpec, seed: number): ResolvedScenario {
  if (settled.has(spec)) return { scenario: spec as Scenario, variation: {} };
  if (!needsResolving(spec)) {
    settled.add(spec);
    return { scenario: spec as Scenario, variation: {} };
  }
  const variation: Variation = {};
  const scenario = resolveWith(spec, (varied, path) => {
    const value = draw(varied, createStream(seed, `vary:${path}`).next());
    variation[path] = value as VariedValue;
    return value;
  });
  return { scenario, variation };
}

/** One uniform draw `u` in [0, 1) turned into the field's value. */
function draw(varied: VariedRange | VariedChoice<unknown>, u: number): unknown {
  if (varied.$vary === 'oneOf') return varied.options[Math.min(varied.options.length - 1, Math.floor(u * varied.options.length))];
  const x = varied.min + u * (varied.max - varied.min);
  return clamp(roundDrawn(x, varied), varied.min, varied.max);
}

/** Drawn values are meant to be read (in the header, by the facilitator): whole seconds, or four significant digits. */
function roundDrawn(x: number, range: VariedRange): number {
  if (range.unit === 'ms') return range.min % 1000 === 0 && range.max % 1000 === 0 ? Math.round(x / 1000) * 1000 : Math.round(x);
  return x === 0 ? 0 : Number(x.toPrecision(4));
}

const clamp = (x: number, lo: number, hi: number): number => Math.min(hi, Math.max(lo, x));
