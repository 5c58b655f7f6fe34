/**
 * The few PromQL spellings the rule generator needs: selectors, durations and numbers. Pure: no I/O.
 */

/** `metric{a="x",b="y"}`: label values quoted as JSON strings, which PromQL reads the same way. */
export function selector(metric: string, labels: Readonly<Record<string, string>>): string {
  const matchers = Object.entries(labels).map(([name, value]) => `${name}=${JSON.stringify(value)}`);
  return `${metric}{${matchers.join(',')}}`;
}

const UNITS: readonly (readonly [string, number])[] = [
  ['h', 3_600_000],
  ['m', 60_000],
  ['s', 1_000],
  ['ms', 1],
];

/**
 * Milliseconds as a Prometheus duration, e.g. 5_400_000 → "1h30m", 2_500 → "2s500ms". Prometheus
 * takes no decimals ("2.5s" is an error), so every part is a whole number of its unit. The engine's
 * durations are whole milliseconds already.
 */
export function promDuration(ms: number): string {
  if (!Number.isInteger(ms) || ms < 0) throw new Error(`invariant: a duration is whole non-negative milliseconds, not ${ms}`);
  if (ms === 0) return '0s';
  let rest = ms;
  let text = '';
  for (const [unit, size] of UNITS) {
    const count = Math.floor(rest / size);
    if (count > 0) text += `${count}${unit}`;
    rest -= count * size;
  }
  return text;
}

/** A number as PromQL reads it, without binary noise: 1 − 0.999 → "0.001", 600 / 1000 → "0.6". */
export function promNumber(x: number): string {
  if (!Number.isFinite(x)) throw new Error(`invariant: a threshold is finite, not ${x}`);
  return String(Number(x.toPrecision(12)));
}
