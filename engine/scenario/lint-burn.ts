/**
 * Checks for burn-rate alerts (engine/core/rules/burn-rate.ts): a burn rate is a journey's, over two
 * windows, the long one longer than the short one, both within the drill; and `windows` means nothing
 * on any other alert.
 */
import { formatDuration } from '../protocol/format.ts';
import type { Ctx } from './lint-context.ts';

export function checkBurnRates({ s, report }: Ctx): void {
  const endText = formatDuration(s.duration);
  s.alerts.forEach((alert, i) => {
    const name = JSON.stringify(alert.id);
    if (alert.metric !== 'burnRate') {
      if (alert.windows !== undefined) report(['alerts', i, 'windows'], `alert ${name} watches ${alert.metric}: "windows" is for metric burnRate only; remove it`);
      return;
    }
    if (alert.journey === undefined) {
      report(['alerts', i, 'metric'], `alert ${name}: burnRate is a journey's (its error rate over its error budget): give it a "journey" instead of a service or topic`);
    }
    if (alert.op === '<') report(['alerts', i, 'op'], `alert ${name}: a burn-rate alert fires on a burn above its threshold; use op ">"`);
    if (alert.threshold <= 0) report(['alerts', i, 'threshold'], `alert ${name}: a burn rate threshold is a multiple of the error budget's even rate, above 0 (for example 14.4)`);
    const windows = alert.windows;
    if (windows === undefined) {
      report(['alerts', i], `alert ${name} watches burnRate but has no "windows": give it a long and a short window, for example { long: 1h, short: 5m }`);
      return;
    }
    if (windows.short >= windows.long) {
      report(['alerts', i, 'windows', 'short'], `alert ${name}: the short window (${formatDuration(windows.short)}) must be shorter than the long one (${formatDuration(windows.long)})`);
    }
    if (windows.long > s.duration) {
      report(['alerts', i, 'windows', 'long'], `alert ${name}'s long window (${formatDuration(windows.long)}) is longer than the scenario (${endText})`, 'warning');
    }
    if (windows.short < s.tick) {
      report(['alerts', i, 'windows', 'short'], `alert ${name}'s short window (${formatDuration(windows.short)}) is shorter than a tick (${formatDuration(s.tick)}): it is judged over one tick`, 'warning');
    }
  });
}
