/**
 * Seeded random streams, one per concern. Each stream is derived from the scenario seed and a name
 * (e.g. `7:noise:pricing`), so adding a draw in one concern never shifts another concern's sequence.
 * The streams' states are part of the session state: they are hashed into checkpoints.
 */
import seedrandom from 'seedrandom';

export type RngState = seedrandom.State.Alea;

export interface Stream {
  readonly name: string;
  /** A uniform draw in [0, 1). */
  next(): number;
  state(): RngState;
}

export function createStream(seed: number, concern: string, restore?: RngState): Stream {
  const name = `${seed}:${concern}`;
  const prng = seedrandom.alea(name, { state: restore ?? true });
  // The generator itself, not a wrapper around it: the noise draws are a tenth of a small drill's time.
  return { name, next: prng, state: () => prng.state() };
}

/** Symmetric noise in [-amplitude, amplitude], triangular: two draws, no transcendental functions. */
export function noise(stream: Stream, amplitude: number): number {
  return (stream.next() + stream.next() - 1) * amplitude;
}
