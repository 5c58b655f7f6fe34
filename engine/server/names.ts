/**
 * Display names of drill participants. Controlled friction means a *second person* approves a risky
 * change, so two participants must not be able to look like the same person: names are compared by
 * keys that fold case, invisible characters, compatibility forms and confusable letters.
 */
import unhomoglyph from 'unhomoglyph';

export const MAX_NAME_LENGTH = 64;

export type NameCheck =
  | { ok: true; display: string; keys: readonly string[] }
  | { ok: false; code: 'bad-name'; message: string };

/** Longer raw input is refused before normalising, so a huge string costs nothing to reject. */
const MAX_RAW_LENGTH = 1024;

/**
 * Shown as a gap: every White_Space character (tabs and newlines too, so "Bob\nSmith" stays two words),
 * plus the two blanks attackers use that Unicode does not class as space: U+2800 BRAILLE PATTERN BLANK
 * and U+1D159 MUSICAL SYMBOL NULL NOTEHEAD.
 */
const BLANK = /[\p{White_Space}\u2800\u{1D159}]+/gu;

/**
 * Not shown at all (or shown as an unpredictable box): \p{C} is control (Cc), format (Cf: zero-width
 * space/joiners, soft hyphen, bidi embeddings/overrides/isolates, LRM/RLM, word joiner, BOM, tag
 * characters), lone surrogates, private use and unassigned code points. Default_Ignorable_Code_Point adds
 * the invisible ones that are not \p{C}: variation selectors, the combining grapheme joiner, Mongolian
 * free variation selectors, Khmer inherent vowels and the Hangul fillers (U+3164 etc. are *letters*, the
 * classic "blank nickname"). The cost: ZWJ emoji sequences fall apart and ZWNJ in Persian or Indic
 * names is lost; both only change joining, not which person the name denotes.
 */
const INVISIBLE = /[\p{C}\p{Default_Ignorable_Code_Point}]/gu;

const LETTER_OR_DIGIT = /[\p{L}\p{N}]/u;

/**
 * Case fold. JavaScript has no Unicode case folding; upper-then-lower approximates *full* folding
 * (ß ~ ss, ς ~ σ, ϐ ~ β, ı ~ i), which toLowerCase alone misses, so "STRASSE" clashes with "Straße"
 * just as "BOB" clashes with "bob". It over-folds a few pairs ("Masse"/"Maße"); a false clash only makes
 * someone pick another name, a missed one lets a person approve their own change. Not idempotent on
 * its own (ẞ → ß → ss): the fixpoint in keyFor takes care of that.
 */
const fold = (s: string): string => s.toUpperCase().toLowerCase().normalize('NFKD');

/**
 * UTS #39 skeleton. unhomoglyph is only the confusables.txt table (v13.0.0, one code point → prototype
 * string, applied in a single pass, e.g. I → l, 1 → l, 0 → O, m → rn, Cyrillic о → o); it does no
 * normalisation, so the NFD before the table (Cyrillic ё = е + ◌̈ must meet Latin ë = e + ◌̈) and the
 * decomposition after are ours. After it we decompose with NFKD rather than NFD: a few prototypes are
 * compatibility characters (% → º/₀) and NFKC display forms never contain those.
 */
const skeleton = (s: string): string => unhomoglyph(s.normalize('NFD')).normalize('NFKD');

/**
 * Applies fold and skeleton alternately, starting with `first`, until nothing changes. Iteration is
 * needed because each step feeds the other: the skeleton yields capitals (0 → O, Cyrillic М → M) that
 * fold then lowercases into something the table maps again (M → m → rn), and fold is not idempotent
 * (ẞ → ß → ss). On every single code point it changes at most three times; the bound only guarantees
 * an end (a key cut short is still a pure function of the name, so sameName stays symmetric).
 */
function keyFor(display: string, first: 'fold' | 'skeleton'): string {
  let key = display;
  for (let round = 0; round < 8; round++) {
    const next = first === 'fold' ? skeleton(fold(key)) : fold(skeleton(key));
    if (next === key) break;
    key = next;
  }
  return key;
}

/** Cleans a name a person typed: the display form others will see, and the keys it is compared by. */
export function checkName(raw: unknown): NameCheck {
  if (typeof raw !== 'string') return bad('a name must be a string');
  if (raw.length > MAX_RAW_LENGTH) return bad(`a name can have at most ${MAX_NAME_LENGTH} characters`);
  // Invisibles go before NFKC so they cannot block composition (e + ZWSP + ◌́ must become é), and NFKC
  // produces no new ones. NFKC (fullwidth ｂ → b, ℬ → B) can produce spaces (¨ → space + ◌̈), so spaces
  // are collapsed after it.
  const display = raw
    .replace(BLANK, ' ')
    .replace(INVISIBLE, '')
    .normalize('NFKC')
    .replace(/ {2,}/g, ' ')
    .trim();
  if (display === '') return bad('a name cannot be empty or only spaces and invisible characters');
  if ([...display].length > MAX_NAME_LENGTH) return bad(`a name can have at most ${MAX_NAME_LENGTH} characters`);
  if (!LETTER_OR_DIGIT.test(display)) return bad('a name must contain at least one letter or digit');
  // Case and confusable folding do not commute: I is confusable with l but folds to i, and l and i
  // are not confusable. Fold-first alone misses "Ian" ~ "lan"; skeleton-first alone misses "Ian" ~
  // "ian". So a name has both keys, and names clash if they share either. The relation is deliberately
  // not transitive: "lan" and "ian" do not look alike and do not clash with each other.
  const keys = [...new Set([keyFor(display, 'fold'), keyFor(display, 'skeleton')])];
  return { ok: true, display, keys };
}

/** True when two checked names would look like the same person. */
export function sameName(a: readonly string[], b: readonly string[]): boolean {
  return a.some((key) => b.includes(key));
}

function bad(message: string): NameCheck {
  return { ok: false, code: 'bad-name', message };
}
