/** docs/scoring.md must keep the weights, penalties and worked example the code actually uses. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CONDUCT_CREDITS, CONDUCT_PENALTIES, DEFAULT_WEIGHTS } from '../../engine/score/grade.ts';
import { ROOT } from '../helpers.ts';
import { scoredRun } from './runs.ts';

const doc = readFileSync(`${ROOT}docs/scoring.md`, 'utf8');
/** Rows of the two-column table whose header is `| <first> | <second> |`. */
function table(first: string, second: string): Record<string, number> {
  const start = doc.indexOf(`| ${first} | ${second} |`);
  expect(start, `table "${first} | ${second}"`).toBeGreaterThanOrEqual(0);
  const rows = doc.slice(start).split('\n').slice(2);
  const out: Record<string, number> = {};
  for (const row of rows) {
    const m = /^\| `([a-zA-Z]+)` \| ([\d.]+) \|$/.exec(row);
    if (!m) break;
    out[m[1] as string] = Number(m[2]);
  }
  return out;
}

describe('docs/scoring.md', () => {
  it('lists the default weights, the conduct penalties and the credit', () => {
    expect(table('weight', 'default')).toEqual(DEFAULT_WEIGHTS);
    expect(table('penalty', 'value')).toEqual({ ...CONDUCT_PENALTIES });
    expect(table('credit', 'value')).toEqual({ ...CONDUCT_CREDITS });
  });

  it("has the worked example's numbers", () => {
    const bad = scoredRun('retail-sev1.bad').card;
    expect(doc).toContain(`| **score** | | | | 100 | **${bad.grade.score.toFixed(1)}** |`);
    for (const c of bad.grade.components) {
      expect(doc).toMatch(new RegExp(`^\\| ${c.name} \\|.*\\| ${c.weight} \\| ${c.points === 0 ? '0' : c.points.toFixed(2)} \\|$`, 'm'));
    }
    expect(doc).toContain(`The reference plan scores ${scoredRun('retail-sev1').card.grade.score.toFixed(1)}`);
  });
});
