/**
 * The assistant's retrieval: a pure, deterministic ranking of wiki pages against a question (BM25,
 * k1 = 1.2, b = 0.75), with what the responder can see added to the query (the firing alerts and
 * the recent changes), as a chat assistant would pull in the incident channel's context. Ties go to
 * the lower page id, so the same question always gets the same page.
 */
import type { WikiPage } from '../../protocol/scenario.ts';

const K1 = 1.2;
const B = 0.75;
/** The title counts this many times: a page titled after the question is likely the one meant. */
const TITLE_WEIGHT = 2;
/**
 * What the responder sees weighs a tenth of what they ask: it breaks ties between pages the question
 * fits equally, and guides a vague question, but never outweighs a specific one.
 */
const CONTEXT_WEIGHT = 0.1;

/** Words too common to tell pages apart. */
const STOP_WORDS = new Set(
  'a an and are as at be but by can do does for from has have how i if in is it its me my of on or our should so that the their then there this to was we what when where which who why will with you your'.split(' '),
);

/** Lowercase words of two or more letters or digits, stop words left out, each cut to its stem. */
export function tokenize(text: string): string[] {
  return (text.toLowerCase().match(/[a-z0-9]+/g) ?? []).filter((w) => w.length >= 2 && !STOP_WORDS.has(w)).map(stem);
}

/**
 * A deliberately small stemmer, so that "pages" finds "page" and "failing" finds "fails": plural and
 * verb endings only, on words long enough to keep a stem. Documented, so authors can predict matches.
 */
function stem(word: string): string {
  if (word.length <= 4) return word;
  if (word.endsWith('ies')) return `${word.slice(0, -3)}y`;
  if (word.endsWith('ing') && word.length > 5) return word.slice(0, -3);
  if (word.endsWith('ed') && word.length > 5) return word.slice(0, -2);
  if (word.endsWith('s') && !word.endsWith('ss')) return word.slice(0, -1);
  return word;
}

export interface Query {
  question: string;
  /** The service the responder asks about, if any: its id joins the query. */
  service?: string;
  /** What the assistant sees besides the question: firing alerts' names, recent changes' summaries. */
  context?: readonly string[];
}

export interface Ranked {
  page: string;
  /** The BM25 score, rounded to 1e-6 so that the ranking never hangs on float noise. */
  score: number;
}

function termsOf(page: Pick<WikiPage, 'title' | 'body' | 'services'>): string[] {
  const title = tokenize(page.title);
  return [...Array.from({ length: TITLE_WEIGHT }, () => title).flat(), ...tokenize(page.body), ...page.services.flatMap(tokenize)];
}

/** Every page, best first; pages sharing no word with the query score 0 and come last, by id. */
export function rankPages(pages: readonly Pick<WikiPage, 'id' | 'title' | 'body' | 'services'>[], query: Query): Ranked[] {
  const docs = pages.map((p) => ({ id: p.id, terms: termsOf(p) }));
  const n = docs.length;
  const avgLength = n === 0 ? 0 : docs.reduce((sum, d) => sum + d.terms.length, 0) / n;
  const df = new Map<string, number>();
  for (const d of docs) for (const t of new Set(d.terms)) df.set(t, (df.get(t) ?? 0) + 1);
  const weights = new Map<string, number>();
  for (const t of (query.context ?? []).flatMap(tokenize)) weights.set(t, CONTEXT_WEIGHT);
  for (const t of [...tokenize(query.question), ...(query.service ? tokenize(query.service) : [])]) weights.set(t, 1);
  const ranked = docs.map((d) => {
    const tf = new Map<string, number>();
    for (const t of d.terms) tf.set(t, (tf.get(t) ?? 0) + 1);
    let score = 0;
    for (const [t, weight] of weights) {
      const f = tf.get(t) ?? 0;
      if (f === 0) continue;
      const docFreq = df.get(t) ?? 0;
      const idf = Math.log(1 + (n - docFreq + 0.5) / (docFreq + 0.5));
      score += (weight * idf * f * (K1 + 1)) / (f + K1 * (1 - B + (B * d.terms.length) / (avgLength || 1)));
    }
    return { page: d.id, score: Math.round(score * 1e6) / 1e6 };
  });
  return ranked.sort((a, b) => b.score - a.score || (a.page < b.page ? -1 : a.page > b.page ? 1 : 0));
}

export interface Answer {
  /** The cited page, or null when no page shares a word with the question. */
  page: string | null;
  text: string;
  proposes?: WikiPage['proposes'];
}

/**
 * The answer from the best page: its first paragraph, a citation (title and edit date) and the action
 * it proposes. It never says whether the page is current: that is for the responder to check.
 */
export function answer(pages: readonly WikiPage[], query: Query): Answer {
  const [best] = rankPages(pages, query);
  const page = best !== undefined && best.score > 0 ? pages.find((p) => p.id === best.page) : undefined;
  if (page === undefined) return { page: null, text: 'I could not find anything about that in the wiki.' };
  const first = page.body.trim().split(/\n\s*\n/)[0]?.replace(/\s+/g, ' ') ?? '';
  const action = page.proposes ? ` Suggested action: ${page.proposes.type} ${page.proposes.target}.` : '';
  return {
    page: page.id,
    text: `According to the wiki page "${page.title}" (last edited ${page.edited}): ${first}${action}`,
    ...(page.proposes ? { proposes: page.proposes } : {}),
  };
}
