/**
 * Checks of a spec with varied fields (protocol/vary.ts). Every check in lint.ts is about one scenario,
 * and a seed may draw any value of a range and any option of a choice; so the spec is checked at its
 * corners: every range at its min, then at its max, with every choice at each of its options in turn.
 * A problem any corner has is reported once, at the field's line.
 */
import { placeholderValue, resolveWith, TIME_PLACEHOLDER, variedFields } from '../protocol/varied.ts';
import type { ScenarioSpec } from '../protocol/scenario.ts';
import { lintScenario, type LintIssue } from './lint.ts';

/** More options than this are checked by cycling: each option is still checked at least once. */
const MAX_CHOICE_CORNERS = 8;

export function lintSpec(spec: ScenarioSpec): LintIssue[] {
  const fields = variedFields(spec);
  // Nothing varies: the one corner is the spec itself.
  if (fields.length === 0) return [...lintScenario(resolveWith(spec, () => undefined)), ...checkPlaceholders(spec)];
  const widest = Math.max(1, ...fields.map(({ varied }) => (varied.$vary === 'oneOf' ? varied.options.length : 1)));
  const issues: LintIssue[] = [];
  const seen = new Set<string>();
  for (let option = 0; option < Math.min(widest, MAX_CHOICE_CORNERS); option++) {
    for (const end of ['min', 'max'] as const) {
      const corner = resolveWith(spec, (varied) => (varied.$vary === 'range' ? varied[end] : varied.options[option % varied.options.length]));
      for (const issue of lintScenario(corner)) {
        const key = `${JSON.stringify(issue.path)}\u0000${issue.message}`;
        if (seen.has(key)) continue;
        seen.add(key);
        issues.push(issue);
      }
    }
  }
  issues.push(...checkPlaceholders(spec));
  for (const { at, varied } of fields) {
    if (varied.$vary === 'range' && varied.min === varied.max) {
      issues.push({ path: at, message: 'this range has min equal to max, so it never varies: write the value itself', severity: 'warning' });
    }
  }
  return issues;
}

/** Every `{{path}}` in the text must name a time of the scenario (a fault's or advice's `at`). */
function checkPlaceholders(spec: ScenarioSpec): LintIssue[] {
  const corner = resolveWith(spec, (varied) => (varied.$vary === 'range' ? varied.min : varied.options[0]));
  const issues: LintIssue[] = [];
  const visit = (value: unknown, path: (string | number)[]): void => {
    if (typeof value === 'string') {
      for (const match of value.matchAll(TIME_PLACEHOLDER)) {
        if (placeholderValue(corner, match[1] as string) === undefined) {
          issues.push({ path, message: `${match[0]} names no time of this scenario: write e.g. {{faults.<id>.at}} for when a fault with "at" starts`, severity: 'error' });
        }
      }
    } else if (Array.isArray(value)) value.forEach((item, i) => visit(item, [...path, i]));
    else if (typeof value === 'object' && value !== null) for (const [key, item] of Object.entries(value)) visit(item, [...path, key]);
  };
  visit(spec, []);
  return issues;
}
