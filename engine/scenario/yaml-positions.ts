/**
 * YAML text → plain data, keeping the way back from a data path to a line and column.
 * Shared by scenario and plan loading so that both report problems at the same kind of position.
 * Nothing here throws for user input: every failure becomes a diagnostic.
 */
import { isAlias, isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, type Document } from 'yaml';
import { cleanMessage, pathToString, quote, sortDiagnostics, type Diagnostic, type PathSegment, type Severity } from './diagnostics.ts';

/** yaml's guard against alias expansion ("billion laughs"); hand-written scenarios stay far below it. */
const MAX_ALIAS_COUNT = 100;
/** Junk input can produce thousands of syntax errors; beyond this many nobody reads them. */
const MAX_SYNTAX_ERRORS = 100;

export interface ParsedYaml {
  doc: Document.Parsed;
  lineCounter: LineCounter;
  /** The document as plain JS data (what the schema validates). */
  value: unknown;
}

export type ParseYamlResult =
  | { ok: true; parsed: ParsedYaml; diagnostics: Diagnostic[] }
  | { ok: false; diagnostics: Diagnostic[] };

interface NodeLike {
  range?: [number, number, number] | null;
}

/** Parses YAML (and so JSON). Stops at syntax errors, after reporting all of them. */
export function parseYaml(text: string, file: string): ParseYamlResult {
  const lineCounter = new LineCounter();
  // logLevel 'error': yaml would otherwise print warnings to the process's stderr ('silent' would also drop errors).
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true, logLevel: 'error' });
  const at = (offset: number | undefined) => positionAt(lineCounter, offset);
  const scan = scanNodes(doc, text);
  const diagnostics: Diagnostic[] = [];
  let nestedTooDeep = false;
  for (const error of doc.errors) {
    if (error.code === 'RESOURCE_EXHAUSTION') {
      // One per nesting level that overflowed the parser's stack: a single report says it all.
      if (nestedTooDeep) continue;
      nestedTooDeep = true;
    }
    const unclosed = findUnclosed(scan, error.code, error.message, error.pos[0]);
    if (unclosed !== undefined) {
      diagnostics.push(makeDiagnostic(file, at(unclosed.start), unclosedMessage(unclosed.token), '', 'error'));
      continue;
    }
    const message = syntaxMessage(error.code, error.message, scan.keyAt.get(error.pos[0]));
    diagnostics.push(makeDiagnostic(file, at(error.pos[0]), message, '', 'error'));
  }
  for (const warning of doc.warnings) {
    diagnostics.push(makeDiagnostic(file, at(warning.pos[0]), `YAML: ${warning.message}`, '', 'warning'));
  }
  for (const problem of scan.problems) {
    diagnostics.push(makeDiagnostic(file, at(problem.offset), problem.message, '', 'error'));
  }
  const errors = sortDiagnostics(diagnostics.filter((d) => d.severity === 'error'));
  if (errors.length > MAX_SYNTAX_ERRORS) {
    const kept = errors.slice(0, MAX_SYNTAX_ERRORS);
    const last = kept[kept.length - 1] as Diagnostic;
    const more = `${errors.length - MAX_SYNTAX_ERRORS} more YAML errors not shown`;
    return { ok: false, diagnostics: [...kept, { ...last, message: more }] };
  }
  if (errors.length > 0) return { ok: false, diagnostics };

  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (error) {
    const message =
      error instanceof ReferenceError && /alias/i.test(error.message)
        ? 'too many aliases: the document would expand to an enormous amount of data'
        : describeCrash(error);
    diagnostics.push(makeDiagnostic(file, at(scan.firstAlias), message, '', 'error'));
    return { ok: false, diagnostics };
  }
  return { ok: true, parsed: { doc, lineCounter, value }, diagnostics };
}

function syntaxMessage(code: string, message: string, key: string | undefined): string {
  switch (code) {
    case 'DUPLICATE_KEY':
      return key === undefined
        ? 'duplicate key: a key may appear only once in a mapping'
        : `duplicate key ${quote(key)}: a key may appear only once in a mapping`;
    case 'RESOURCE_EXHAUSTION':
      return 'the document is nested too deeply to read';
    case 'TAB_AS_INDENT':
      return 'YAML syntax error: tabs cannot indent YAML, use spaces';
    case 'MULTIPLE_DOCS':
      return 'the file holds more than one YAML document (a "---" line): put one document per file';
    default: {
      // yaml quotes the offending token, which in a junk file can be kilobytes of noise.
      const short = message.replace(/"([\s\S]{40})[\s\S]+"$/, '"$1…"');
      return `YAML syntax error: ${short.charAt(0).toLowerCase()}${short.slice(1)}`;
    }
  }
}

interface Opener {
  /** `"`, `'`, `[` or `{`. */
  token: string;
  start: number;
  end: number;
  used: boolean;
}

interface Scan {
  /** Key text by the offset where the key starts, to name the key in "duplicate key" errors. */
  keyAt: Map<number, string>;
  /** Quoted strings and flow collections that are not closed. */
  unclosed: Opener[];
  problems: { offset: number | undefined; message: string }[];
  firstAlias: number | undefined;
}

const CLOSER: Record<string, string> = { '"': '"', "'": "'", '[': ']', '{': '}' };

/**
 * The parser reports an unclosed quote or bracket where it gave up, which can be the end of the file;
 * the place to fix is where the string or collection was opened.
 */
function findUnclosed(scan: Scan, code: string, message: string, offset: number): Opener | undefined {
  let tokens: string[];
  if (code === 'MISSING_CHAR' && /quote/i.test(message)) tokens = ['"', "'"];
  else if (/^flow sequence/i.test(message)) tokens = ['['];
  else if (/^flow map/i.test(message)) tokens = ['{'];
  else return undefined;
  let best: Opener | undefined;
  for (const opener of scan.unclosed) {
    if (opener.used || !tokens.includes(opener.token) || opener.start >= offset || opener.end > offset) continue;
    if (best === undefined || opener.start > best.start) best = opener;
  }
  if (best !== undefined) best.used = true;
  return best;
}

function unclosedMessage(token: string): string {
  if (token === '"' || token === "'") return `YAML syntax error: the string opened here with ${token} is never closed`;
  const closer = CLOSER[token] as string;
  const what = token === '[' ? 'list' : 'mapping';
  return `YAML syntax error: the ${what} opened here with "${token}" is never closed with "${closer}" (or a line inside it is not indented enough)`;
}

/**
 * One iterative pass over the syntax tree (no recursion, so deep nesting cannot overflow the stack) for what the
 * YAML library accepts but a scenario cannot use: aliases to undefined anchors and keys that are lists or maps.
 */
function scanNodes(doc: Document.Parsed, text: string): Scan {
  const scan: Scan = { keyAt: new Map(), unclosed: [], problems: [], firstAlias: undefined };
  const noteOpener = (node: unknown) => {
    const range = (node as NodeLike).range;
    if (range === undefined || range === null) return;
    const token = text.charAt(range[0]);
    const closer = CLOSER[token];
    const closed = closer !== undefined && range[1] - range[0] >= 2 && text.charAt(range[1] - 1) === closer;
    if (closer !== undefined && !closed) scan.unclosed.push({ token, start: range[0], end: range[1], used: false });
  };
  // Anchors seen so far: the walk is in document order, and an alias may only refer back.
  const anchors = new Set<string>();
  const stack: unknown[] = [doc.contents];
  while (stack.length > 0) {
    const node = stack.pop();
    const anchor = (node as { anchor?: unknown } | null)?.anchor;
    if (typeof anchor === 'string') anchors.add(anchor);
    if (isMap(node) || isSeq(node)) {
      if (node.flow === true) noteOpener(node);
      for (let i = node.items.length - 1; i >= 0; i--) stack.push(node.items[i]);
    } else if (isScalar(node)) {
      if (node.type === 'QUOTE_DOUBLE' || node.type === 'QUOTE_SINGLE') noteOpener(node);
    } else if (isPair(node)) {
      if (isScalar(node.key)) {
        stack.push(node.key);
        const offset = (node.key as NodeLike).range?.[0];
        if (offset !== undefined) scan.keyAt.set(offset, String(node.key.value));
        if (typeof node.key.anchor === 'string') anchors.add(node.key.anchor);
      } else if (node.key !== null && node.key !== undefined) {
        const offset = (node.key as NodeLike).range?.[0];
        scan.problems.push({ offset, message: 'a key must be plain text, not a list or a mapping' });
      }
      stack.push(node.value);
    } else if (isAlias(node)) {
      const offset = node.range?.[0];
      scan.firstAlias ??= offset;
      if (!anchors.has(node.source)) {
        scan.problems.push({ offset, message: `unknown alias *${node.source}: define the anchor &${node.source} before using it` });
      }
    }
  }
  return scan;
}

function safeResolve(alias: { resolve(doc: Document): unknown }, doc: Document): unknown {
  try {
    return alias.resolve(doc);
  } catch {
    return undefined;
  }
}

export interface Position {
  line: number;
  col: number;
}

function positionAt(lineCounter: LineCounter, offset: number | undefined): Position {
  if (offset === undefined || !Number.isFinite(offset) || offset < 0) return { line: 1, col: 1 };
  const { line, col } = lineCounter.linePos(offset);
  return { line: Math.max(1, line), col: Math.max(1, col) };
}

/**
 * Where to point for a data path.
 * `value`: at the value; when the path does not exist (a missing key), at the deepest part that does exist
 * (the parent mapping); for an empty value (`title:`), at its key.
 * `key`: at the key itself (an unknown key).
 */
export type PointAt = 'value' | 'key';

export interface Locator {
  position(path: readonly PathSegment[], pointAt?: PointAt): Position;
  diagnostic(path: readonly PathSegment[], message: string, severity: Severity, pointAt?: PointAt): Diagnostic;
}

export function makeLocator(file: string, parsed: ParsedYaml): Locator {
  const position = (path: readonly PathSegment[], pointAt: PointAt = 'value'): Position => {
    const found = findNode(parsed.doc, path);
    let target: NodeLike | undefined = found.node;
    if (found.complete && found.key !== undefined) {
      const range = found.node?.range;
      const empty = found.node === undefined || range === undefined || range === null || range[0] === range[1];
      if (pointAt === 'key' || empty) target = found.key;
    }
    return positionAt(parsed.lineCounter, target?.range?.[0] ?? undefined);
  };
  return {
    position,
    diagnostic: (path, message, severity, pointAt) =>
      makeDiagnostic(file, position(path, pointAt), message, pathToString(path), severity),
  };
}

interface Found {
  node: NodeLike | undefined;
  /** The key of the pair the node is the value of, when the last step went through a mapping. */
  key: NodeLike | undefined;
  complete: boolean;
}

/** Follows a data path through the syntax tree, through aliases into their anchors. */
function findNode(doc: Document.Parsed, path: readonly PathSegment[]): Found {
  let node: unknown = doc.contents;
  let key: NodeLike | undefined;
  for (const segment of path) {
    if (isAlias(node)) {
      const target = safeResolve(node, doc);
      if (target === undefined) return { node: node as NodeLike, key, complete: false };
      node = target;
    }
    let next: unknown;
    if (isMap(node)) {
      const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === String(segment));
      if (pair !== undefined) {
        key = pair.key as NodeLike;
        next = pair.value ?? undefined;
        // `? key` with no value: the key is the only place to point at.
        if (next === undefined) return { node: undefined, key, complete: true };
      }
    } else if (isSeq(node) && typeof segment === 'number') {
      next = node.items[segment];
      key = undefined;
    }
    if (next === undefined || next === null) return { node: node as NodeLike, key: undefined, complete: false };
    node = next;
  }
  return { node: (node ?? undefined) as NodeLike | undefined, key, complete: true };
}

function makeDiagnostic(
  file: string,
  position: Position,
  message: string,
  path: string,
  severity: Severity,
): Diagnostic {
  return { file, line: position.line, col: position.col, message: cleanMessage(message), path, severity };
}

/** A diagnostic at 1:1 for anything unexpected, so that a bug or an exotic input never escapes as an exception. */
export function crashDiagnostic(file: string, error: unknown): Diagnostic {
  return makeDiagnostic(file, { line: 1, col: 1 }, describeCrash(error), '', 'error');
}

function describeCrash(error: unknown): string {
  if (error instanceof RangeError && /call stack/i.test(error.message)) return 'the document is nested too deeply to read';
  const detail = error instanceof Error ? error.message : String(error);
  return `cannot check this file (internal error: ${detail})`;
}
