/**
 * Seeded variation, the data side (no zod, no randomness): what a varied field is once parsed
 * (protocol/vary.ts parses it), the type of a scenario with every such field resolved, and the walk
 * that finds the varied fields and replaces them. The core draws the values (core/variation.ts); the
 * validator checks a spec at its corners (scenario/lint-vary.ts); both walk the same way, so the
 * paths they name are the same.
 */
import { formatClock, formatDuration } from './format.ts';
import { actionId } from './ids.ts';
import type { Scenario, ScenarioSpec } from './scenario.ts';

export interface VariedRange {
  readonly $vary: 'range';
  readonly min: number;
  readonly max: number;
  /** Durations are drawn in whole seconds when both ends are; other numbers to four significant digits. */
  readonly unit: 'ms' | 'number';
}

export interface VariedChoice<T> {
  readonly $vary: 'oneOf';
  readonly options: readonly T[];
}


/** `T` with every varied field replaced by the type of the value it resolves to. */
export type Resolved<T> =
  T extends VariedRange ? number
  : T extends VariedChoice<infer U> ? Resolved<U>
  : T extends readonly (infer E)[] ? Resolved<E>[]
  : T extends object ? { [K in keyof T]: Resolved<T[K]> }
  : T;

function isVaried(value: unknown): value is VariedRange | VariedChoice<unknown> {
  return typeof value === 'object' && value !== null && '$vary' in value;
}

/** What a seed drew for a spec's varied fields, by path (e.g. `faults.pricing-rules-v2.at`), in the spec's order. Durations in ms. */
export type Variation = Record<string, VariedValue>;
export type VariedValue = number | string | string[];

/** Whether resolving would change anything: a varied field, or text that names a drawn time. Allocates nothing. */
export function needsResolving(value: unknown): boolean {
  if (typeof value === 'string') return value.includes('{{');
  if (typeof value !== 'object' || value === null) return false;
  if (isVaried(value)) return true;
  if (Array.isArray(value)) return value.some(needsResolving);
  for (const key in value) if (needsResolving((value as Record<string, unknown>)[key])) return true;
  return false;
}

export interface VariedField {
  /** The variation path, e.g. `faults.pricing-rules-v2.at`. */
  path: string;
  /** The same field as keys and indices into the spec, e.g. `['faults', 1, 'at']`: for its line in the file. */
  at: (string | number)[];
  varied: VariedRange | VariedChoice<unknown>;
}

/** Every varied field of a spec, in order, without drawing: for the validator. */
export function variedFields(spec: ScenarioSpec): VariedField[] {
  const found: VariedField[] = [];
  resolveValue(spec, '', (path, varied, at) => {
    found.push({ path, at, varied });
    return undefined;
  });
  return found;
}

/**
 * The spec resolved with every range at one end and every choice at one option: `pick(varied)` gives the
 * value. The validator checks these corners, so a range is checked at both of its ends.
 */
export function resolveWith(spec: ScenarioSpec, pick: (varied: VariedRange | VariedChoice<unknown>, path: string) => unknown): Scenario {
  const drawn = resolveValue(spec, '', (path, varied) => pick(varied, path));
  return fillTimes(drawn, drawn) as Scenario;
}

/**
 * Text may name a time that a seed draws: `{{faults.pricing-rules-v2.at}}` becomes that fault's start
 * as a clock (`00:05:40`), so a log line or an advice text stays true on every seed. Filled once drawn;
 * a resolved scenario has no placeholders left, so resolving it again changes nothing.
 */
export const TIME_PLACEHOLDER = /\{\{\s*([a-zA-Z0-9.:_-]+)\s*\}\}/g;

function fillTimes(value: unknown, root: unknown): unknown {
  if (typeof value === 'string') {
    return value.includes('{{') ? value.replace(TIME_PLACEHOLDER, (text, path: string) => placeholderValue(root, path) ?? text) : value;
  }
  if (Array.isArray(value)) return value.map((item) => fillTimes(item, root));
  if (typeof value !== 'object' || value === null) return value;
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) out[key] = fillTimes(item, root);
  return out;
}

/** A placeholder's text: the clock time at that path, or undefined when the path names no time (the validator reports it). */
export function placeholderValue(root: unknown, path: string): string | undefined {
  const value = valueAtPath(root, path);
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? formatClock(value) : undefined;
}

/**
 * Why a recorded variation does not match the scenario it came with (a hand-edited log header), or null.
 * Every path must lead to a field of the scenario that holds exactly the recorded value.
 */
export function variationMismatch(scenario: Scenario, variation: Variation): string | null {
  for (const [path, recorded] of Object.entries(variation)) {
    const found = valueAtPath(scenario, path);
    if (found === undefined) return `variation ${path}: no such field in the scenario`;
    if (JSON.stringify(found) !== JSON.stringify(recorded)) return `variation ${path}: the scenario holds ${JSON.stringify(found)}, not ${JSON.stringify(recorded)}`;
  }
  return null;
}

function valueAtPath(root: unknown, path: string): unknown {
  let value = root;
  for (const segment of path.split('.')) {
    if (Array.isArray(value)) value = value.find((item, i) => elementKey(item, i) === segment);
    else if (typeof value === 'object' && value !== null && Object.hasOwn(value, segment)) value = (value as Record<string, unknown>)[segment];
    else return undefined;
  }
  return value;
}

type OnVaried = (path: string, varied: VariedRange | VariedChoice<unknown>, at: (string | number)[]) => unknown;

function resolveValue(value: unknown, path: string, onVaried: OnVaried, at: (string | number)[] = []): unknown {
  if (isVaried(value)) return onVaried(path, value, at);
  if (Array.isArray(value)) return value.map((item, i) => resolveValue(item, join(path, elementKey(item, i)), onVaried, [...at, i]));
  if (typeof value !== 'object' || value === null) return value;
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) out[key] = resolveValue(item, join(path, key), onVaried, [...at, key]);
  return out;
}

const join = (path: string, key: string): string => (path === '' ? key : `${path}.${key}`);

/** Elements are named by their id where they have one (an action by its default id), so paths survive reordering. */
function elementKey(item: unknown, index: number): string {
  if (typeof item !== 'object' || item === null) return String(index);
  const record = item as { id?: unknown; type?: unknown; target?: unknown };
  if (typeof record.id === 'string') return record.id;
  if (typeof record.type === 'string' && typeof record.target === 'string') return actionId({ type: record.type, target: record.target });
  return String(index);
}

/** What a seed drew, compactly: `pricing-rules-v2.at 00:05:05, rollback:pricing.duration 6m17s, traffic.level 1.141`. */
export function describeVariation(variation: Variation): string {
  return Object.entries(variation)
    .map(([path, value]) => {
      // Paths name list items by id: drop the list's name, keep the item and the field.
      const short = path.replace(/^(faults|advice|actions|journeys|services)\./, '');
      const field = path.slice(path.lastIndexOf('.') + 1);
      if (typeof value !== 'number') return `${short} ${Array.isArray(value) ? value.join('+') : value}`;
      if (field === 'at') return `${short} ${formatClock(value)}`;
      if (field === 'rampUp' || field === 'for' || field === 'duration') return `${short} ${formatDuration(value)}`;
      return `${short} ${value}`;
    })
    .join(', ');
}
