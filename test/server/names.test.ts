/**
 * Display names: one person, one name. Names that differ only in case, invisible characters,
 * compatibility forms or confusable letters clash; names that look different do not.
 */
import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { MAX_NAME_LENGTH, checkName, sameName } from '../../engine/server/names.ts';

function accepted(raw: string): { display: string; keys: readonly string[] } {
  const result = checkName(raw);
  if (!result.ok) throw new Error(`${JSON.stringify(raw)} rejected: ${result.message}`);
  return result;
}

const clash = (a: string, b: string): boolean => sameName(accepted(a).keys, accepted(b).keys);

describe('checkName display form', () => {
  it.each([
    ['  Bob\u200B  Smith ', 'Bob Smith'],
    ['Bob\nSmith', 'Bob Smith'],
    ['Bob\t\u00A0\u3000Smith', 'Bob Smith'],
    ['\uFF22\uFF4F\uFF42', 'Bob'], // fullwidth
    ['\u212Cob', 'Bob'], // script capital B, via NFKC
    ['\u{1D41B}\u{1D428}\u{1D41B}', 'bob'], // mathematical bold
    ['Jose\u0301', 'Jos\u00E9'], // combining accent composed
    ['e\u200B\u0301', '\u00E9'], // invisible removed before composing
    ['bob\u2800', 'bob'], // braille blank
    ['\u3164bob', 'bob'], // Hangul filler, a "letter" that shows nothing
    ['Bob\u{E0041}\u{E007F}', 'Bob'], // tag characters
    ['a\uD800b', 'ab'], // lone surrogate
    ['bo\u0308b', 'b\u00F6b'],
    ['Дмитрий', 'Дмитрий'],
    ['王伟', '王伟'],
    ['محمد', 'محمد'],
    ['Σίσυφος', 'Σίσυφος'],
  ])('%j displays as %j', (raw, display) => {
    expect(accepted(raw).display).toBe(display);
  });

  it('gives exact keys, two where case and confusable folding disagree', () => {
    expect(accepted('bob').keys).toEqual(['bob']);
    expect(accepted('Ian').keys).toEqual(['ian', 'lan']);
    expect(accepted('m').keys).toEqual(['rn']);
    expect(accepted('Stra\u00DFe').keys).toEqual(['strasse']);
    expect(accepted('\u042Cob').keys).toEqual(['\u0185ob', 'bob']);
  });
});

describe('checkName rejections', () => {
  it.each([
    ['', /empty/],
    ['   ', /empty/],
    ['\u200B\u200B', /empty/],
    ['\u3164', /empty/],
    ['!!!', /letter or digit/],
    ['\u0301', /letter or digit/],
    ['\u{1F600}', /letter or digit/],
    ['a'.repeat(MAX_NAME_LENGTH + 1), /at most 64 characters/],
    ['\u00E9'.repeat(MAX_NAME_LENGTH + 1), /at most 64 characters/],
    ['x'.repeat(100_000), /at most 64 characters/],
  ])('rejects %j', (raw, message) => {
    const result = checkName(raw);
    expect(result).toMatchObject({ ok: false, code: 'bad-name' });
    expect(result.ok ? '' : result.message).toMatch(message);
  });

  it.each([[undefined], [null], [42], [{}], [['bob']]])('rejects the non-string %j', (raw) => {
    expect(checkName(raw)).toEqual({ ok: false, code: 'bad-name', message: 'a name must be a string' });
  });

  it('counts code points of the display form, not UTF-16 units or raw input', () => {
    expect(accepted('a'.repeat(MAX_NAME_LENGTH)).display).toHaveLength(MAX_NAME_LENGTH);
    expect(accepted('\u{1D41B}'.repeat(MAX_NAME_LENGTH)).display).toBe('b'.repeat(MAX_NAME_LENGTH));
    expect(accepted(`${'b'.repeat(MAX_NAME_LENGTH)}\u200B\u200B  `).display).toBe('b'.repeat(MAX_NAME_LENGTH));
    expect(accepted('\u{20000}'.repeat(MAX_NAME_LENGTH)).display).toHaveLength(2 * MAX_NAME_LENGTH);
  });
});

describe('sameName', () => {
  it.each([
    'Bob',
    'BOB',
    '\uFF42\uFF4F\uFF42', // fullwidth
    'b\u200Bob', // zero-width space
    'bob\u200D', // zero-width joiner
    'bo\u00ADb', // soft hyphen
    'bob\uFE0F', // variation selector
    '\u202Ebob', // right-to-left override
    'bob\u2066', // left-to-right isolate
    'b\u043Eb', // Cyrillic о
    'b\u03BFb', // Greek omicron
    '\u042Cob', // Cyrillic capital soft sign Ь, confusable with b
    '\u0412\u041E\u0412', // Cyrillic ВОВ
    '\u0392\u039F\u0392', // Greek ΒΟΒ
    '\u212Cob', // script capital B
    'b0b', // digit zero
  ])('%j clashes with "bob"', (name) => {
    expect(clash(name, 'bob')).toBe(true);
    expect(clash('bob', name)).toBe(true);
  });

  it.each([
    ['Bob', 'BOB', true],
    ['Ian', 'lan', true], // capital I looks like l
    ['Ian', 'ian', true], // same letters in another case
    ['lan', 'ian', false], // but l and i do not look alike
    ['rn', 'm', true], // confusables.txt maps m to r + n
    ['Mila', 'Rnila', true],
    ['\u041Cila', 'mila', true], // Cyrillic М → M → m → rn: needs the fixpoint
    ['Stra\u00DFe', 'STRASSE', true], // full case folding
    ['\u1E9E', 'ss', true], // capital sharp s → ß → ss: needs the fixpoint
    ['\u0401\u043B\u043A\u0430', '\u00CB\u043B\u043A\u0430', true], // Cyrillic Ё vs Latin Ë, via NFD
    ['Jos\u00E9', 'Jose\u0301', true], // same text, precomposed or not
    ['\u00CDan', '\u013Aan', true], // Ían vs ĺan: the table sees I only after NFD
    ['\u0407gor', '\u00CFgor', true], // Cyrillic Ї vs Latin Ï
    ['bob-alt', 'bob\u2010alt', true], // ASCII hyphen vs U+2010 HYPHEN
    ['bob', 'bob-alt', false],
    ['bob-alt', 'bob alt', false], // visibly different punctuation is not folded
    ['alice', 'alicia', false],
    ['Anna', 'Ana', false],
    ['Jos\u00E9', 'Jose', false], // an accent is visible
    ['Zo\u00EB', 'Zoe', false],
    ['cl', 'd', false], // not in confusables.txt
    ['vv', 'w', false], // not in confusables.txt
    ['Дмитрий', 'Dmitry', false],
    ['王伟', 'محمد', false],
  ])('%j vs %j clash: %s', (a, b, expected) => {
    expect(clash(a, b)).toBe(expected);
    expect(clash(b, a)).toBe(expected);
  });
});

describe('properties', () => {
  // Full Unicode (fast-check's 'binary' unit) plus lone surrogates, which 'binary' leaves out.
  const anyText = fc.oneof(
    fc.string({ unit: 'binary', maxLength: 80 }),
    fc.string({ unit: fc.integer({ min: 0, max: 0xffff }).map((u) => String.fromCharCode(u)), maxLength: 80 }),
  );
  // A small alphabet of lookalikes, so random pairs often clash.
  const lookalikes = fc.string({
    unit: fc.constantFrom('b', 'B', 'o', 'O', '0', '\u043E', 'I', 'l', 'i', '1', 'm', 'M', 'r', 'n', 's', 'S', '\u00DF', '\u1E9E', '\u200B', ' ', '-', '\u0301'),
    minLength: 1,
    maxLength: 6,
  });
  const opts = { numRuns: 500, seed: 20261122 };

  it('never throws, on strings or anything else', () => {
    fc.assert(fc.property(fc.oneof(anyText, fc.anything()), (raw) => void checkName(raw)), opts);
  });

  it('is idempotent: an accepted display form checks to itself with the same keys', () => {
    fc.assert(
      fc.property(fc.oneof(anyText, lookalikes), (raw) => {
        const first = checkName(raw);
        if (!first.ok) return;
        expect(checkName(first.display)).toEqual(first);
        expect([...first.display].length).toBeLessThanOrEqual(MAX_NAME_LENGTH);
      }),
      opts,
    );
  });

  it('sameName is reflexive and symmetric for accepted names', () => {
    fc.assert(
      fc.property(fc.oneof(anyText, lookalikes), fc.oneof(anyText, lookalikes), (a, b) => {
        const x = checkName(a);
        const y = checkName(b);
        if (!x.ok || !y.ok) return;
        expect(sameName(x.keys, x.keys)).toBe(true);
        expect(sameName(x.keys, y.keys)).toBe(sameName(y.keys, x.keys));
      }),
      opts,
    );
  });
});
