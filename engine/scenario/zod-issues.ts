/**
 * Turns zod issues into messages a scenario author understands, at the position of the offending YAML.
 * zod's defaults ("Invalid input: expected string, received undefined") talk about JS values; authors write YAML,
 * so a missing key is a "missing required field", an array is "a list" and an enum error lists the allowed values.
 */
import type { z } from 'zod';
import { didYouMean, quote, type Diagnostic, type PathSegment } from './diagnostics.ts';
import { duration, ID_PATTERN } from '../protocol/scenario.ts';
import type { Locator, PointAt } from './yaml-positions.ts';

type Issue = z.core.$ZodIssue;

export type SchemaCheck<T> = { ok: true; data: T } | { ok: false; diagnostics: Diagnostic[] };

/** Validates plain data against a schema; on failure, one diagnostic per problem (all of them, not the first). */
export function checkSchema<S extends z.ZodType>(schema: S, value: unknown, locator: Locator): SchemaCheck<z.output<S>> {
  const result = schema.safeParse(value);
  if (result.success) return { ok: true, data: result.data };
  const diagnostics: Diagnostic[] = [];
  const seen = new Set<string>();
  for (const issue of relevantIssues(result.error.issues)) {
    for (const problem of describeIssue(issue, value, schema)) {
      const diagnostic = locator.diagnostic(problem.path, problem.message, 'error', problem.pointAt);
      const identity = `${diagnostic.path}\u0000${diagnostic.message}`;
      if (seen.has(identity)) continue;
      seen.add(identity);
      diagnostics.push(diagnostic);
    }
  }
  return { ok: false, diagnostics };
}

/**
 * zod reports an integer outside the safe range twice (once for the safe range, once for the field's own bounds);
 * the field's own bound is the one the author can act on.
 */
function relevantIssues(issues: readonly Issue[]): Issue[] {
  const key = (issue: Issue) => JSON.stringify(issue.path.map((p) => (typeof p === 'symbol' ? String(p) : p)));
  const counts = new Map<string, number>();
  for (const issue of issues) counts.set(key(issue), (counts.get(key(issue)) ?? 0) + 1);
  return issues.filter(
    (issue) =>
      !((issue.code === 'too_big' || issue.code === 'too_small') && issue.origin === 'int' && (counts.get(key(issue)) ?? 0) > 1),
  );
}

interface Problem {
  path: PathSegment[];
  message: string;
  pointAt: PointAt;
}

function describeIssue(issue: Issue, root: unknown, schema: z.ZodType): Problem[] {
  const path = issue.path.filter((p): p is PathSegment => typeof p !== 'symbol');
  const value = valueAt(root, path);
  const at = (message: string, pointAt: PointAt = 'value'): Problem[] => [{ path, message, pointAt }];
  // zod reports a missing key as a wrong type (or, for an enum, a wrong value) of `undefined`.
  const last = path[path.length - 1];
  const parent = valueAt(root, path.slice(0, -1));
  if (issue.code !== 'unrecognized_keys' && last !== undefined && isMapping(parent) && !Object.hasOwn(parent, String(last))) {
    const choices = issue.code === 'invalid_value' ? `: one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}` : '';
    return at(`missing required field ${JSON.stringify(String(last))}${choices}`);
  }
  switch (issue.code) {
    case 'invalid_type': {
      if (path.length === 0 && (value === null || value === undefined)) {
        return at('the document is empty: expected a mapping of fields');
      }
      // "expected a whole number, got a number" would not help: show the number itself.
      const got = issue.expected === 'int' && typeof value === 'number' ? showValue(value) : describeValue(value);
      return at(`expected ${expectedName(issue.expected, schemaAt(schema, path))}, got ${got}`);
    }
    case 'invalid_value': {
      const allowed = issue.values.map((v) => JSON.stringify(v));
      const hint = typeof value === 'string' ? didYouMean(value, issue.values.map(String)) : '';
      return at(`invalid value ${showValue(value)}: expected one of ${allowed.join(', ')}${hint}`);
    }
    case 'too_small':
    case 'too_big':
      return at(boundMessage(issue, value));
    case 'invalid_format': {
      const isId = issue.format === 'regex' && 'pattern' in issue && issue.pattern === String(ID_PATTERN);
      return at(`${isId ? 'invalid identifier' : 'invalid value'} ${showValue(value)}: ${issue.message}`);
    }
    case 'unrecognized_keys': {
      const known = knownKeys(schema, path);
      return issue.keys.map((key) => ({
        path: [...path, key],
        message:
          key === '<<'
            ? 'unknown field "<<": YAML merge keys are not supported, write the fields out'
            : `unknown field ${quote(key)}${didYouMean(key, known)}`,
        pointAt: 'key' as const,
      }));
    }
    case 'invalid_union': {
      // A value of the right kind for one branch (a string for a duration, a mapping for a range):
      // that branch's own problems are the ones to report, at their own paths.
      const branch = matchingBranch(issue);
      if (branch !== null) return branch.flatMap((sub) => describeIssue({ ...sub, path: [...issue.path, ...sub.path] } as Issue, root, schema));
      return at(issue.message !== 'Invalid input' ? issue.message : unionMessage(issue, value));
    }
    default:
      // `custom` issues (durations) already carry a message written for authors.
      return at(issue.message);
  }
}

function boundMessage(issue: z.core.$ZodIssueTooSmall | z.core.$ZodIssueTooBig, value: unknown): string {
  const small = issue.code === 'too_small';
  const bound = Number(small ? (issue as z.core.$ZodIssueTooSmall).minimum : (issue as z.core.$ZodIssueTooBig).maximum);
  const inclusive = issue.inclusive !== false;
  if (issue.origin === 'array') {
    const count = Array.isArray(value) ? value.length : 0;
    const items = (n: number) => `${n} ${n === 1 ? 'item' : 'items'}`;
    return small ? `needs at least ${items(bound)}, got ${count === 0 ? 'none' : count}` : `allows at most ${items(bound)}, got ${count}`;
  }
  if (issue.origin === 'string') {
    if (small && bound === 1) return 'must not be empty';
    return small ? `must be at least ${bound} characters long` : `must be at most ${bound} characters long`;
  }
  const relation = small ? (inclusive ? 'at least' : 'greater than') : inclusive ? 'at most' : 'less than';
  return `must be ${relation} ${bound}, got ${showValue(value)}`;
}

/** The branch the value was meant for: of those whose type matched, the one with the fewest problems. */
function matchingBranch(issue: z.core.$ZodIssueInvalidUnion): Issue[] | null {
  let best: Issue[] | null = null;
  for (const branch of issue.errors) {
    if (branch.some((sub) => sub.path.length === 0 && sub.code === 'invalid_type')) continue;
    if (best === null || branch.length < best.length) best = branch;
  }
  return best;
}

function unionMessage(issue: z.core.$ZodIssueInvalidUnion, value: unknown): string {
  const expected: string[] = [];
  for (const branch of issue.errors) {
    const only = branch.length === 1 ? branch[0] : undefined;
    if (only?.code !== 'invalid_type' || only.path.length > 0) return issue.message;
    expected.push(only.expected === 'boolean' ? 'a boolean' : expectedName(only.expected, undefined));
  }
  const list = expected.length > 1 ? `${expected.slice(0, -1).join(', ')} or ${expected[expected.length - 1]}` : expected[0];
  return `expected ${list ?? 'another value'}, got ${describeValue(value)}`;
}

function expectedName(expected: string, fieldSchema: unknown): string {
  if (isDuration(fieldSchema)) return 'a duration such as "90s", "5m" or "1h30m"';
  switch (expected) {
    case 'string':
      return 'a string';
    case 'number':
      return 'a number';
    case 'int':
      return 'a whole number';
    case 'boolean':
      return 'true or false';
    case 'array':
      return 'a list';
    case 'object':
    case 'record':
    case 'map':
      return 'a mapping';
    default:
      return expected;
  }
}

/** What a value is, in YAML words. */
function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'an empty value';
  if (typeof value === 'string') return 'a string';
  if (typeof value === 'boolean') return 'a boolean';
  if (typeof value === 'bigint') return 'a big integer';
  if (typeof value === 'number') {
    if (Number.isNaN(value)) return 'not-a-number (.nan)';
    if (!Number.isFinite(value)) return 'a number too large to use';
    return 'a number';
  }
  if (Array.isArray(value)) return 'a list';
  // Not `instanceof Date`: the engine may not touch the Date global (the clock is simulated).
  if (Object.prototype.toString.call(value) === '[object Date]') return 'a date';
  if (value instanceof Uint8Array) return 'binary data';
  if (value instanceof Set) return 'a set';
  return 'a mapping';
}

function showValue(value: unknown): string {
  if (typeof value === 'string') return quote(value);
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return describeValue(value);
}

function isMapping(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function valueAt(root: unknown, path: readonly PathSegment[]): unknown {
  let value = root;
  for (const segment of path) {
    if (Array.isArray(value) && typeof segment === 'number') value = value[segment];
    else if (isMapping(value) && Object.hasOwn(value, String(segment))) value = value[String(segment)];
    else return undefined;
  }
  return value;
}

/** The slice of zod's internal definition we walk; zod exposes it as `_zod.def` on every schema. */
interface Def {
  type: string;
  shape?: Record<string, unknown>;
  element?: unknown;
  innerType?: unknown;
  in?: unknown;
  valueType?: unknown;
}

function defOf(schema: unknown): Def | undefined {
  return (schema as { _zod?: { def?: Def } } | undefined)?._zod?.def;
}

/**
 * Is this the `duration` schema? `.describe()` clones a schema, so identity does not work; a clone shares the
 * definition's parts, so the transform at the end of the pipe identifies it.
 */
function isDuration(schema: unknown): boolean {
  const def = defOf(schema) as (Def & { out?: unknown }) | undefined;
  return def?.type === 'pipe' && def.out !== undefined && def.out === (defOf(duration) as Def & { out?: unknown }).out;
}

/** Strips optional/default wrappers, stopping at a duration so callers can recognise it. */
function unwrap(schema: unknown): unknown {
  let current = schema;
  for (let i = 0; i < 20 && !isDuration(current); i++) {
    const def = defOf(current);
    if (def?.innerType !== undefined) current = def.innerType;
    else if (def?.type === 'pipe' && def.in !== undefined) current = def.in;
    else break;
  }
  return current;
}

/** The schema that validates the value at `path`, if the path leads anywhere. */
function schemaAt(schema: unknown, path: readonly PathSegment[]): unknown {
  let current = unwrap(schema);
  for (const segment of path) {
    const def = defOf(isDuration(current) ? undefined : current);
    if (def?.type === 'object' && typeof segment === 'string') current = def.shape?.[segment];
    else if (def?.type === 'array' && typeof segment === 'number') current = def.element;
    else if (def?.type === 'record') current = def.valueType;
    else return undefined;
    current = unwrap(current);
  }
  return current;
}

function knownKeys(schema: unknown, path: readonly PathSegment[]): string[] {
  const def = defOf(schemaAt(schema, path));
  return def?.type === 'object' && def.shape !== undefined ? Object.keys(def.shape) : [];
}
