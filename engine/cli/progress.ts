/**
 * Progress on stderr for long CLI jobs: a redrawn bar on a terminal, otherwise (a pipe, a CI log)
 * one plain line each time another 10% is done.
 */
import { performance } from 'node:perf_hooks';

export interface Progress {
  update(done: number): void;
  /** Ends the bar (a terminal gets its line cleared). */
  finish(): void;
}

export interface ProgressOptions {
  total: number;
  /** e.g. "explore"; starts every line. */
  label: string;
  /** What is counted, e.g. "seeds". */
  unit: string;
  stream?: NodeJS.WriteStream;
  /** Bar width on a terminal (default 30). */
  width?: number;
}

const seconds = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;

/** The bar's text (no escapes), e.g. "explore [█████░░░░░] 50% 500/1000 seeds · 12.0 s · ~12 s left". */
export function progressBar(done: number, total: number, width: number, elapsedMs: number, label: string, unit: string): string {
  const share = total > 0 ? Math.min(1, done / total) : 1;
  const filled = Math.round(share * width);
  const eta = done > 0 && done < total ? ` · ~${Math.ceil(((total - done) * elapsedMs) / done / 1000)} s left` : '';
  return `${label} [${'█'.repeat(filled)}${'░'.repeat(width - filled)}] ${Math.floor(share * 100)}% ${done}/${total} ${unit} · ${seconds(elapsedMs)}${eta}`;
}

export function createProgress(options: ProgressOptions): Progress {
  const stream = options.stream ?? process.stderr;
  const tty = stream.isTTY === true;
  const width = options.width ?? 30;
  const { total, label, unit } = options;
  const started = performance.now();
  let lastDraw = -Infinity;
  let lastTenth = 0;
  let drawn = false;
  return {
    update(done: number) {
      const elapsed = performance.now() - started;
      if (tty) {
        // Redraw at most ~10 times a second, and always at the end.
        if (done < total && elapsed - lastDraw < 100) return;
        lastDraw = elapsed;
        drawn = true;
        stream.write(`\r\x1b[K${progressBar(done, total, width, elapsed, label, unit)}`);
        return;
      }
      const tenth = total > 0 ? Math.floor((10 * done) / total) : 10;
      if (tenth <= lastTenth) return;
      lastTenth = tenth;
      stream.write(`${label}: ${tenth * 10}% (${done}/${total} ${unit}, ${seconds(elapsed)})\n`);
    },
    finish() {
      if (tty && drawn) stream.write('\r\x1b[K');
    },
  };
}
