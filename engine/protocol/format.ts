/**
 * Durations in scenario files are written as `90s`, `5m`, `6h`, `1h30m` or `250ms`.
 * Everything inside the engine is integer milliseconds of simulated time.
 */
const UNIT_MS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };
/** Exported for the JSON Schema, so editors flag a bad duration as it is typed. */
export const DURATION = /^(?:\d+(?:\.\d+)?(?:ms|s|m|h|d))+$/;
const PART = /(\d+(?:\.\d+)?)(ms|s|m|h|d)/g;

/** Returns milliseconds, or undefined when the text is not a duration. */
export function parseDuration(text: string): number | undefined {
  const trimmed = text.trim();
  if (!DURATION.test(trimmed)) return undefined;
  let total = 0;
  for (const match of trimmed.matchAll(PART)) {
    total += Number(match[1]) * (UNIT_MS[match[2] as string] as number);
  }
  return Number.isFinite(total) ? Math.round(total) : undefined;
}

/** Formats milliseconds compactly, e.g. 5400000 → "1h30m", 2500 → "2.5s". */
export function formatDuration(ms: number): string {
  if (ms === 0) return '0s';
  const sign = ms < 0 ? '-' : '';
  let rest = Math.abs(ms);
  const h = Math.floor(rest / 3_600_000);
  rest -= h * 3_600_000;
  const m = Math.floor(rest / 60_000);
  rest -= m * 60_000;
  const s = rest / 1_000;
  return sign + (h ? `${h}h` : '') + (m ? `${m}m` : '') + (s ? `${Number(s.toFixed(3))}s` : '');
}

/** Formats simulated time as an elapsed clock, e.g. 5400000 → "01:30:00". */
export function formatClock(ms: number): string {
  const total = Math.floor(ms / 1000);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${pad(Math.floor(total / 3600))}:${pad(Math.floor((total % 3600) / 60))}:${pad(total % 60)}`;
}

/** Formats simulated time for a chart axis: m:ss (zero-padded minutes) under an hour, h:mm when `long`. */
export function formatAxisTime(ms: number, long: boolean): string {
  const s = Math.round(ms / 1000);
  const pad = (n: number) => String(n).padStart(2, '0');
  return long ? `${Math.floor(s / 3600)}:${pad(Math.floor((s % 3600) / 60))}` : `${pad(Math.floor(s / 60))}:${pad(s % 60)}`;
}

/** Money in whole dollars with US separators, e.g. 12345.6 → "$12,346", -5 → "−$5" (a true minus sign). */
export const formatMoney = (x: number): string => `${x < 0 ? '−' : ''}$${Math.round(Math.abs(x)).toLocaleString('en-US')}`;

/** A whole count with US separators, e.g. 12345.6 → "12,346". */
export const formatCount = (x: number): string => Math.round(x).toLocaleString('en-US');

/** A ratio as a percentage, e.g. 0.1234 → "12.3%" (`digits` decimals). */
export const formatPercent = (x: number, digits = 1): string => `${(x * 100).toFixed(digits)}%`;

const METRIC_NAMES: Record<string, string> = {
  errorRate: 'error rate',
  p50Ms: 'p50',
  p99Ms: 'p99',
  rps: 'load',
  saturation: 'saturation',
  lag: 'consumer lag',
  lagSeconds: 'consumer lag',
  burnRate: 'error-budget burn rate',
};

/** A metric's name in prose, e.g. "errorRate" → "error rate"; unknown metrics as given. */
export const metricName = (metric: string): string => METRIC_NAMES[metric] ?? metric;

/** A metric value the way a dashboard shows it: rates as percentages, latencies in ms, load in rps. */
export function formatMetric(metric: string, value: number): string {
  if (metric === 'errorRate' || metric === 'saturation') return formatPercent(value);
  if (metric === 'p50Ms' || metric === 'p99Ms') return `${formatCount(value)} ms`;
  if (metric === 'rps') return `${formatCount(value)} rps`;
  if (metric === 'lag') return `${formatCount(value)} messages`;
  if (metric === 'lagSeconds') return `${formatCount(value)} s`;
  if (metric === 'burnRate') return `${value.toFixed(1)}×`;
  return String(value);
}

/** Shortens free text (status messages, log lines) to one line of at most `max` characters. */
export function clip(text: string, max = 160): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}
