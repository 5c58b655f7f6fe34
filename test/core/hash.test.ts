/**
 * The checkpoint hasher (engine/core/log/hash.ts): strings go through a memo of their words, and the
 * physics state through packed word views. Neither may change what a hash says.
 */
import { describe, expect, it } from 'vitest';
import { Hasher } from '../../engine/core/log/hash.ts';

const digestOf = (...texts: string[]): string => texts.reduce((h, t) => h.str(t), new Hasher()).digest();

describe('the checkpoint hasher', () => {
  it('gives a string the same hash whether its words are remembered or computed afresh', () => {
    const first = digestOf('running', 'alice', 'pricing-rules config v2');
    expect(digestOf('running', 'alice', 'pricing-rules config v2')).toBe(first);
    // More distinct strings than the memo keeps: it is emptied, and the words are computed again.
    for (let i = 0; i < 5000; i++) digestOf(`filler-${i}`);
    expect(digestOf('running', 'alice', 'pricing-rules config v2')).toBe(first);
  });

  it('tells strings, their order and their boundaries apart', () => {
    const seen = new Set([digestOf('ab', 'c'), digestOf('a', 'bc'), digestOf('c', 'ab'), digestOf('abc'), digestOf(''), digestOf('', '')]);
    expect(seen.size).toBe(6);
  });

  it('hashes a word run by its bits and its length', () => {
    const words = Uint32Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    const a = new Hasher().words(words).digest();
    expect(new Hasher().words(words.slice()).digest()).toBe(a);
    expect(new Hasher().words(words.subarray(0, 9)).digest()).not.toBe(a);
    const flipped = words.slice();
    flipped[9] = 11;
    expect(new Hasher().words(flipped).digest()).not.toBe(a);
    // Every lane matters: a change to any one word changes the digest.
    for (let i = 0; i < words.length; i++) {
      const one = words.slice();
      one[i] = (one[i] as number) ^ 0x80000000;
      expect(new Hasher().words(one).digest()).not.toBe(a);
    }
  });
});
