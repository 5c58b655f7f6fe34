/**
 * Diagnostics are how every problem in a user's file is reported: data, never exceptions.
 * One diagnostic names a file position (1-based line and column) and the data path of the problem,
 * so that both an editor (file:line:col) and a human reading the YAML (the path) can find it.
 */

export type Severity = 'error' | 'warning';
export type PathSegment = string | number;

export interface Diagnostic {
  file: string;
  line: number;
  col: number;
  message: string;
  /** e.g. `services[2].dependencies[0].service`; '' for the document root. */
  path: string;
  severity: Severity;
}

const PLAIN_KEY = /^[A-Za-z_$][A-Za-z0-9_$-]*$/;

/** `['services', 2, 'id']` → `services[2].id`. Keys that are not plain words are quoted: `weights["a b"]`. */
export function pathToString(path: readonly PathSegment[]): string {
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else if (PLAIN_KEY.test(segment)) out += out === '' ? segment : `.${segment}`;
    else out += `[${JSON.stringify(segment)}]`;
  }
  return out;
}

const ANSI = { error: '\u001b[31m', warning: '\u001b[33m', reset: '\u001b[0m' } as const;

/**
 * `file:line:col: message (at path)`, the format compilers use so that editors and terminals link to the spot.
 * Errors carry no severity word in plain form; warnings say `warning:` so they can be told apart.
 * With colour, a coloured `error:`/`warning:` word is prefixed, since a colour terminal is read by a person.
 */
export function formatDiagnostic(d: Diagnostic, options: { color?: boolean } = {}): string {
  const where = d.path === '' ? '' : ` (at ${d.path})`;
  const plain = d.severity === 'warning' ? 'warning: ' : '';
  const severity = options.color ? `${ANSI[d.severity]}${d.severity}:${ANSI.reset} ` : plain;
  return `${d.file}:${d.line}:${d.col}: ${severity}${d.message}${where}`;
}

export function hasErrors(diagnostics: readonly Diagnostic[]): boolean {
  return diagnostics.some((d) => d.severity === 'error');
}

/** By line, then column; stable, so problems at one spot keep the order they were found in. */
export function sortDiagnostics(diagnostics: readonly Diagnostic[]): Diagnostic[] {
  return [...diagnostics].sort((a, b) => a.line - b.line || a.col - b.col);
}

const MAX_MESSAGE = 300;

/**
 * Keeps a message on one line and of sane length: messages can quote user text (a junk token, a huge key),
 * and one diagnostic must stay one line of output.
 */
export function cleanMessage(message: string): string {
  // eslint-disable-next-line no-control-regex
  const oneLine = message.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, (c) => {
    if (c === '\n' || c === '\r' || c === '\t') return ' ';
    return `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;
  });
  return oneLine.length > MAX_MESSAGE ? `${oneLine.slice(0, MAX_MESSAGE - 1)}…` : oneLine;
}

/** Quotes user text for a message, shortened so a 1 MB string does not become a 1 MB message. */
export function quote(text: string, max = 60): string {
  const shown = text.length > max ? `${text.slice(0, max - 1)}…` : text;
  return JSON.stringify(shown);
}

/** ` (did you mean "x"?)` when one candidate is a close misspelling of `word`, else ''. */
export function didYouMean(word: string, candidates: Iterable<string>): string {
  if (word.length > 64) return '';
  const limit = Math.max(1, Math.min(3, Math.floor(word.length / 3)));
  let best: string | undefined;
  let bestDistance = limit + 1;
  for (const candidate of candidates) {
    if (candidate === word || Math.abs(candidate.length - word.length) > limit) continue;
    const distance = editDistance(word.toLowerCase(), candidate.toLowerCase());
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best === undefined ? '' : ` (did you mean ${JSON.stringify(best)}?)`;
}

/** Levenshtein distance with adjacent transpositions counted as one edit (the commonest typo). */
function editDistance(a: string, b: string): number {
  const rows: number[][] = [];
  for (let i = 0; i <= a.length; i++) {
    const row: number[] = [i];
    for (let j = 1; j <= b.length; j++) {
      if (i === 0) {
        row.push(j);
        continue;
      }
      const above = rows[i - 1] as number[];
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let value = Math.min((above[j] as number) + 1, (row[j - 1] as number) + 1, (above[j - 1] as number) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        value = Math.min(value, ((rows[i - 2] as number[])[j - 2] as number) + 1);
      }
      row.push(value);
    }
    rows.push(row);
  }
  return (rows[a.length] as number[])[b.length] as number;
}

/** Why a file could not be read, in the words `sevdrill validate` and the server's catalog both use. */
export function readError(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EISDIR') return 'it is a directory';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  return error instanceof Error ? error.message : String(error);
}
