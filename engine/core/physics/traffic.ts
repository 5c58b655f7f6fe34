/**
 * Customer traffic and the noise on each service, drawn every NOISE_MS of simulated time (not per
 * tick, so the tick's length changes nothing) from each service's own stream.
 *
 * - Traffic follows an optional daily shape (a cosine around the daily mean, peaking at `peakAt`),
 *   relative to the level at the drill's start, times autocorrelated noise: an AR(1) process
 *   x ← φx + σ√(1−φ²)ε with φ = e^(−Δ/τ), Δ = NOISE_MS: a sampled Ornstein–Uhlenbeck process; σ is
 *   the service's `noise.rps`, τ the scenario's `traffic.correlation`.
 * - Latency noise is an AR(1) too, with a 2-minute time constant: slow wander, not flicker.
 * - Error noise stays white: failures of independent requests do not remember each other.
 */
import { noise, type Stream } from './rng.ts';
import type { SimState } from './sim-state.ts';
import type { Topology } from './topology.ts';

const DAY_MS = 24 * 3600_000;
/** Traffic and noise change every this much simulated time, on a grid independent of the tick. */
export const NOISE_MS = 10_000;
const LATENCY_CORRELATION_MS = 120_000;
/** Triangular noise of amplitude √6 has unit variance. */
const UNIT = Math.sqrt(6);

export interface TrafficShape {
  /** Time of day at the drill start, and of the daily peak, in ms after midnight. */
  readonly startMs: number;
  readonly peakMs: number;
  readonly amplitude: number;
  readonly correlationMs: number;
}

const daily = (shape: TrafficShape, t: number): number =>
  1 + shape.amplitude * Math.cos((2 * Math.PI * (shape.startMs + t - shape.peakMs)) / DAY_MS);

/** The daily shape at simulated time t, relative to the drill's start. */
function dailyFactor(shape: TrafficShape, t: number): number {
  return shape.amplitude === 0 ? 1 : daily(shape, t) / daily(shape, 0);
}

/** The traffic and noise factors from time t: three draws per service, from that service's own stream. */
export function drawTraffic(topo: Topology, sim: SimState, streams: readonly Stream[], shape: TrafficShape, t: number): void {
  const day = dailyFactor(shape, t);
  const phi = Math.exp(-NOISE_MS / shape.correlationMs);
  const keep = Math.sqrt(1 - phi * phi);
  const phiLat = Math.exp(-NOISE_MS / LATENCY_CORRELATION_MS);
  const keepLat = Math.sqrt(1 - phiLat * phiLat);
  for (let s = 0; s < topo.n; s++) {
    const stream = streams[s] as Stream;
    const x = phi * (sim.trafficAr[s] as number) + (topo.noiseRps[s] as number) * keep * noise(stream, UNIT);
    sim.trafficAr[s] = x;
    sim.noiseRps[s] = day * Math.max(0.05, 1 + x);
    const y = phiLat * (sim.latencyAr[s] as number) + (topo.noiseLat[s] as number) * keepLat * noise(stream, UNIT);
    sim.latencyAr[s] = y;
    sim.noiseLat[s] = Math.max(0.2, 1 + y);
    sim.noiseErr[s] = 1 + noise(stream, topo.noiseErr[s] as number);
  }
}

/** Parses "HH:MM" (already validated by the schema) to ms after midnight. */
export function timeOfDayMs(text: string): number {
  const [h, m] = text.split(':').map(Number);
  return ((h ?? 0) * 60 + (m ?? 0)) * 60_000;
}
