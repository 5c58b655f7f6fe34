/**
 * Incremental hashing of session state for checkpoints. (The string hash and canonical JSON for
 * scenario identity live in engine/protocol/hash.ts, shared with the UI.)
 */
const scratch = new Float64Array(1);
const scratchWords = new Uint32Array(scratch.buffer);

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

  floats(values: Float64Array): this {
    // The same words as num() on each element (the bits, low word first), read through one view.
    const words = new Uint32Array(values.buffer, values.byteOffset, values.length * 2);
    let h1 = this.h1;
    let h2 = this.h2;
    for (let i = 0; i < words.length; i++) {
      const w = words[i] as number;
      h1 = Math.imul(h1 ^ w, 0x01000193);
      h2 = Math.imul(h2 ^ w, 0x01000193) ^ (h1 >>> 15);
    }
    this.h1 = h1;
    this.h2 = h2;
    return this.num(values.length);
  }

  ints(values: Int32Array): this {
    for (let i = 0; i < values.length; i++) this.word(values[i] as number);
    return this.num(values.length);
  }

  bytes(values: Uint8Array): this {
    for (let i = 0; i < values.length; i++) this.word(values[i] as number);
    return this.num(values.length);
  }

  str(text: string): this {
    for (let i = 0; i < text.length; i++) this.word(text.charCodeAt(i));
    return this.num(text.length);
  }

  digest(): string {
    return (this.h1 >>> 0).toString(16).padStart(8, '0') + (this.h2 >>> 0).toString(16).padStart(8, '0');
  }
}
