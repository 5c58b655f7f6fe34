/**
 * Incremental hashing of session state for checkpoints. (The string hash and canonical JSON for
 * scenario identity live in engine/protocol/hash.ts, shared with the UI.)
 */
const scratch = new Float64Array(1);
/** Two hex digits per byte value. */
const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));
/** A word as eight hex digits (what toString(16).padStart(8, '0') gives, without its cost). */
const hex = (w: number): string => (HEX[(w >>> 24) & 255] as string) + (HEX[(w >>> 16) & 255] as string) + (HEX[(w >>> 8) & 255] as string) + (HEX[w & 255] as string);
/** Reused for bytes() and str(): their words, grown as needed. */
let widened = new Uint32Array(64);
const scratchWords = new Uint32Array(scratch.buffer);
/** Strings already hashed, as their two words (str below); emptied when it reaches TEXT_MEMO. */
const textWords = new Map<string, readonly [number, number]>();
const TEXT_MEMO = 4096;

/**
 * Incremental two-lane FNV-style hashing over 32-bit words, for checkpoints: numbers are hashed by
 * their IEEE-754 bits (exact, and no number-to-text conversion), typed arrays through a word view.
 */
export class Hasher {
  private h1 = 0x811c9dc5;
  private h2 = 0xcbf29ce4;

  private word(w: number): void {
    this.h1 = Math.imul(this.h1 ^ w, 0x01000193);
    this.h2 = Math.imul(this.h2 ^ w, 0x01000193) ^ (this.h1 >>> 15);
  }

  num(x: number): this {
    scratch[0] = x;
    this.word(scratchWords[0] as number);
    this.word(scratchWords[1] as number);
    return this;
  }

  /** A run of 32-bit words, as they are (the packed physics state: sim-state.ts checkpointWords). */
  words(values: Uint32Array): this {
    return this.lanes(values).num(values.length);
  }

  floats(values: Float64Array): this {
    // The array's IEEE-754 bits, read through one word view.
    return this.lanes(new Uint32Array(values.buffer, values.byteOffset, values.length * 2)).num(values.length);
  }

  bytes(values: Uint8Array): this {
    // Widened to words: lanes() then only ever reads one kind of array, which keeps it fast.
    if (widened.length < values.length) widened = new Uint32Array(values.length * 2);
    widened.set(values);
    return this.lanes(widened, values.length).num(values.length);
  }

  /**
   * An array's words in eight independent FNV lanes (word i goes to lane i mod 8), folded into the two
   * running lanes at the end. The lanes do not wait on each other, so the CPU works on several at
   * once: the whole simulation state is hashed every simulated minute, and one dependent chain made
   * that a tenth of the engine's time on 1,000 services.
   */
  private lanes(words: Uint32Array, n = words.length): this {
    const P = 0x01000193;
    // As int32 from the start: a lane that begins as a double (0x811c9dc5 is above 2^31) keeps the
    // whole loop in doubles, which doubled its cost. The bits are the same either way.
    let a = this.h1 | 0;
    let b = this.h2 | 0;
    let c = a ^ 0x9e3779b9;
    let d = b ^ 0x85ebca6b;
    let e = a ^ 0xc2b2ae35;
    let f = b ^ 0x27d4eb2f;
    let g = a ^ 0x165667b1;
    let k = b ^ 0xd3a2646c;
    let i = 0;
    for (; i + 7 < n; i += 8) {
      a = Math.imul(a ^ (words[i] as number), P);
      b = Math.imul(b ^ (words[i + 1] as number), P);
      c = Math.imul(c ^ (words[i + 2] as number), P);
      d = Math.imul(d ^ (words[i + 3] as number), P);
      e = Math.imul(e ^ (words[i + 4] as number), P);
      f = Math.imul(f ^ (words[i + 5] as number), P);
      g = Math.imul(g ^ (words[i + 6] as number), P);
      k = Math.imul(k ^ (words[i + 7] as number), P);
    }
    for (; i < n; i++) a = Math.imul(a ^ (words[i] as number), P);
    a = Math.imul(a ^ (e >>> 7), P) ^ g;
    b = Math.imul(b ^ (f >>> 9), P) ^ k;
    this.h1 = Math.imul(a ^ (c >>> 15), P) ^ d;
    this.h2 = Math.imul(b ^ (d >>> 13), P) ^ c ^ (this.h1 >>> 15);
    return this;
  }

  /**
   * A string as the two words of its own hash. Checkpoints hash the same few strings (states, ids,
   * names) every simulated minute, and widening each one again was a fifth of a checkpoint, so the
   * words are remembered: a pure memo, bounded, that changes no result.
   */
  str(text: string): this {
    let pair = textWords.get(text);
    if (pair === undefined) {
      if (widened.length < text.length) widened = new Uint32Array(text.length * 2);
      for (let i = 0; i < text.length; i++) widened[i] = text.charCodeAt(i);
      const own = new Hasher().lanes(widened, text.length).num(text.length);
      pair = [own.h1, own.h2];
      if (textWords.size >= TEXT_MEMO) textWords.clear();
      textWords.set(text, pair);
    }
    this.word(pair[0]);
    this.word(pair[1]);
    return this;
  }

  digest(): string {
    return hex(this.h1) + hex(this.h2);
  }
}
