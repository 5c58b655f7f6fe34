/**
 * The debrief's verification and friction tables, as plain text cells that each renderer escapes in
 * its own way: which advice and answers were acted on and whether anyone checked them first, and every
 * review (of a change or an approval-marked action) with how long it took and what it prevented.
 */
import { formatMoney } from '../protocol/format.ts';
import { clock, minutes } from './report-format.ts';
import type { Scorecard } from './scorecard.ts';

export interface TextTable {
  /** The section's heading. */
  title: string;
  caption: string;
  head: string[];
  rows: string[][];
}

const CHECKS: Record<string, string> = { 'page-history': 'read its history', 'open-page': 'opened the page', diagnose: 'diagnosed the service' };

export function verificationTables(card: Scorecard): TextTable[] {
  const v = card.conduct.verification;
  const tables: TextTable[] = [];
  if (v.acts.length > 0) {
    tables.push({
      title: 'Verification',
      caption: 'Advice and answers acted on: was the source checked first?',
      head: ['acted', 'by', 'act', 'source', 'cited', 'stale', 'checked first'],
      rows: v.acts.map((a) => [
        clock(a.t),
        a.by,
        a.act,
        a.source === 'assistant' ? 'the assistant' : `${a.source} advice (${String(a.ref)})`,
        a.page === null ? '—' : `${a.page} (edited ${a.edited ?? '?'})`,
        a.stale ? `yes: ${a.staleReason ?? ''}` : 'no',
        a.verified ? `yes, ${CHECKS[a.how ?? ''] ?? a.how ?? ''}` : 'no',
      ]),
    });
  }
  if (v.friction.length > 0) {
    const stamped = new Set(v.rubberStamps.map((r) => r.change));
    const checked = new Set(v.checkedRejections.map((r) => r.change));
    tables.push({
      title: 'Friction',
      caption: 'Reviews (controlled friction): how long each took, and what it prevented',
      head: ['review', 'asked by', 'at', 'verdict', 'decided by', 'took', 'source checked by the reviewer', 'prevented'],
      rows: v.friction.map((f) => [
        `${f.kind} ${f.request}`,
        f.requestedBy,
        clock(f.requestedAt),
        f.verdict,
        f.decidedBy ?? '—',
        minutes(f.ms),
        f.kind === 'action' || f.verdict === 'pending' || f.verdict === 'bypassed' ? '—' : stamped.has(f.request) ? 'no: a rubber stamp' : checked.has(f.request) || f.verdict === 'approved' ? 'yes' : 'no',
        f.prevented ? `${formatMoney(f.prevented.lost)} of loss (the untreated run)` : '—',
      ]),
    });
  }
  return tables;
}
