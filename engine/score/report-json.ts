/** The report as JSON: the scorecard plus the report model, one object on one line. */
import type { Scorecard } from './scorecard.ts';
import type { ReportModel } from './timeline.ts';

export const REPORT_FORMAT = 'sevdrill-report';

export interface ReportJson {
  format: typeof REPORT_FORMAT;
  scorecard: Scorecard;
  report: ReportModel;
}

export function renderJson(card: Scorecard, report: ReportModel): string {
  const out: ReportJson = { format: REPORT_FORMAT, scorecard: card, report };
  return `${JSON.stringify(out)}\n`;
}
