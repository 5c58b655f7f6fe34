/**
 * Seeded variation in the scenario format: a field that a seed may change is written as a range or a
 * choice instead of one value, and each session draws it once (engine/core/variation.ts).
 *
 * - A range: `{min: 3m, max: 7m}`, or for a duration `"5m ± 2m"`. Drawn uniformly.
 * - A choice: `{oneOf: [checkout, account]}`. Each option is equally likely.
 *
 * Parsed, a varied field is a `Varied` marker; `Resolved<T>` is the type with every marker replaced by
 * the value drawn. So the scenario *spec* (what a file says) and the *scenario* (what one session runs)
 * are one schema and one mapped type, not two definitions to keep in step.
 */
import { z } from 'zod';
import { DURATION, parseDuration } from './format.ts';
import type { VariedChoice, VariedRange } from './varied.ts';

/** A duration's pattern without its anchors, to build the pattern of a range from two of them. */
const ONE_DURATION = DURATION.source.slice(1, -1);
const PLUS_MINUS = /^(.+?)\s*(?:±|\+-|\+\/-)\s*(.+)$/;

/** The two ends of a range, as parsed (zod cannot see through the generic base schema's output type). */
interface Ends {
  min: number;
  max: number;
}

const RANGE_HELP = 'a range {min, max}';
const CHOICE_HELP = 'a choice {oneOf: [...]}';

function checkedRange(min: number, max: number, unit: VariedRange['unit'], ctx: z.RefinementCtx): VariedRange | typeof z.NEVER {
  if (min > max) {
    ctx.addIssue({ code: 'custom', message: `the range's min is above its max: write min ≤ max` });
    return z.NEVER;
  }
  return { $vary: 'range', min, max, unit };
}

/**
 * A duration that a seed may vary: `"5m"`, `"5m ± 2m"`, `{min: "3m", max: "7m"}` or `{oneOf: ["3m", "8m"]}`.
 * `duration` is the plain duration schema (scenario.ts), passed in to keep one definition of it.
 */
export function variedDuration<S extends z.ZodType<number, string>>(duration: S) {
  const single = z
    .string()
    .meta({ pattern: `^${ONE_DURATION}(?:\\s*(?:±|\\+-|\\+/-)\\s*${ONE_DURATION})?$` })
    .transform((text, ctx): number | VariedRange => {
      const pm = PLUS_MINUS.exec(text.trim());
      if (pm === null) {
        const ms = parseDuration(text);
        if (ms === undefined) {
          ctx.addIssue({ code: 'custom', message: `"${text}" is not a duration (write e.g. 90s, 5m or 1h30m, or a range such as "5m ± 2m")` });
          return z.NEVER;
        }
        return ms;
      }
      const mid = parseDuration(pm[1] as string);
      const spread = parseDuration(pm[2] as string);
      if (mid === undefined || spread === undefined) {
        ctx.addIssue({ code: 'custom', message: `"${text}" is not a range of durations (write e.g. "5m ± 2m")` });
        return z.NEVER;
      }
      if (spread > mid) {
        ctx.addIssue({ code: 'custom', message: `"${text}" reaches below zero: the spread must not exceed ${pm[1]}` });
        return z.NEVER;
      }
      return { $vary: 'range', min: mid - spread, max: mid + spread, unit: 'ms' };
    });
  return z
    .union([single, rangeOf(duration, 'ms'), choiceOf(duration)], { error: `expected a duration such as "5m", a range such as "5m ± 2m", ${RANGE_HELP} or ${CHOICE_HELP}` })
    .describe('A duration, or one that each seed draws: "5m ± 2m", {min: 3m, max: 7m} or {oneOf: [3m, 8m]}.');
}

/** A number that a seed may vary: `0.04`, `{min: 0.03, max: 0.06}` or `{oneOf: [0.03, 0.05]}`. */
export function variedNumber<S extends z.ZodType<number, number>>(base: S) {
  return z.union([base, rangeOf(base, 'number'), choiceOf(base)], { error: `expected a number, ${RANGE_HELP} or ${CHOICE_HELP}` });
}

/** A value that a seed may choose among options: `checkout` or `{oneOf: [checkout, account]}`. */
export function variedChoice<S extends z.ZodType>(base: S) {
  return z.union([base, choiceOf(base)], { error: `expected a single value or ${CHOICE_HELP}` });
}

/** `{min, max}` of the base schema, drawn uniformly. */
function rangeOf<S extends z.ZodType<number, unknown>>(base: S, unit: VariedRange['unit']) {
  return z.strictObject({ min: base, max: base }).transform((value, ctx) => checkedRange((value as Ends).min, (value as Ends).max, unit, ctx));
}

/** `{oneOf: [...]}` of the base schema, each option equally likely. */
function choiceOf<S extends z.ZodType>(base: S) {
  return z.strictObject({ oneOf: z.array(base).min(1) }).transform(({ oneOf }): VariedChoice<z.output<S>> => ({ $vary: 'oneOf', options: oneOf as z.output<S>[] }));
}
