/**
 * A small, dependency-free 64-bit FNV-1a hash (as two 32-bit lanes) for checkpoints and scenario
 * identity. The core may not import node:crypto; this needs to be stable, not cryptographic.
 */
export function hashString(text: string): string {
  let h1 = 0x811c9dc5;
  let h2 = 0xcbf29ce4;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 0x01000193);
    h2 = Math.imul(h2 ^ c, 0x01000193) ^ (h1 >>> 15);
  }
  return (h1 >>> 0).toString(16).padStart(8, '0') + (h2 >>> 0).toString(16).padStart(8, '0');
}

/** JSON with object keys sorted, so equal data hashes equally whatever order it was built in. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

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
    for (let i = 0; i < values.length; i++) this.num(values[i] as number);
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
