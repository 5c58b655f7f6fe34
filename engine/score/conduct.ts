/**
 * How the team conducted the response: harm done, bad advice followed, friction bypassed, the
 * cadence of status updates during the incident, roles, and whether the severity was right.
 */
import type { EngineEvent, EventOf } from '../protocol/events.ts';
import { ROLES } from '../protocol/commands.ts';
import { proposalKey } from '../protocol/ids.ts';
import type { Scenario } from '../protocol/scenario.ts';
import type { Milestones } from './milestones.ts';
import { assessVerification, type Verification } from './verification.ts';

export interface AdviceFollowed {
  advice: string;
  label: string;
  action: string;
  by: string;
  t: number;
}

export interface HarmfulAction {
  action: string;
  by: string;
  t: number;
  /** The fault the action set off. */
  fault: string;
}

export interface Conduct {
  badAdviceFollowed: AdviceFollowed[];
  goodAdviceFollowed: AdviceFollowed[];
  harmfulActions: HarmfulAction[];
  /** `byId`: the participant id, in live drills (names can repeat across people; ids cannot). */
  approvalsBypassed: { request: string; by: string; byId?: string; t: number }[];
  approvalsDenied: { request: string; by: string; byId?: string; t: number }[];
  statusUpdates: { count: number; cadenceMs: number; gaps: { from: number; to: number; ms: number }[] };
  roles: { role: string; person: string | null; at: number | null; afterDetectionMs: number | null }[];
  severity: { declared: number | null; highest: number | null; expected: number; correct: boolean; at: number | null };
  rejectedCommands: number;
  /** Whether the incident ever paged: roles and severity are judged only then. */
  paged: boolean;
  /** Advice and answers acted on (checked first or not), rubber stamps, checked rejections, and every review's time. */
  verification: Verification;
}


const idOf = (e: { byId?: string | undefined }): { byId?: string } => (e.byId !== undefined ? { byId: e.byId } : {});

export function assessConduct(scenario: Scenario, events: readonly EngineEvent[], m: Milestones, endedAt: number): Conduct {
  const shown = new Map<string, number>();
  const followed = new Map<string, AdviceFollowed>();
  const conduct: Conduct = {
    badAdviceFollowed: [],
    goodAdviceFollowed: [],
    harmfulActions: [],
    approvalsBypassed: [],
    approvalsDenied: [],
    statusUpdates: { count: 0, cadenceMs: scenario.scoring.statusCadence, gaps: [] },
    roles: [],
    severity: { declared: null, highest: null, expected: scenario.facilitator.expectedSeverity, correct: false, at: null },
    rejectedCommands: 0,
    paged: m.detected !== null,
    verification: assessVerification(scenario, events, endedAt),
  };
  const updates: number[] = [];
  const proposed = new Set<string>();
  const roles = new Map<string, { person: string; at: number }>();
  for (const e of events) {
    switch (e.type) {
      case 'advice.shown':
        shown.set(e.advice, e.t);
        break;
      case 'command':
        if (e.ok) matchAdvice(scenario, e, shown, followed);
        else conduct.rejectedCommands++;
        break;
      case 'fault.started':
        // `String`: a triggered fault always names its action; the log format keeps it optional.
        // A deployed change that starts a fault is as harmful as an action that does; one the on-call
        // pushed alone at the deadline (nobody proposed it) is the untreated path, not the team's act.
        if (e.change !== undefined && !proposed.has(e.change)) break;
        if (e.triggeredBy !== undefined) conduct.harmfulActions.push({ action: e.change !== undefined ? `change:${e.change}` : String(e.action), by: e.triggeredBy, t: e.t, fault: e.fault });
        break;
      case 'change.proposed':
        proposed.add(e.change);
        break;
      case 'change.deployed':
        // Break-glass on a proposed change: a bypass of review like an action's.
        if (e.bypassed && e.change !== undefined && proposed.has(e.change)) conduct.approvalsBypassed.push({ request: `change:${e.change}`, by: e.author, t: e.t });
        break;
      case 'approval.bypassed':
        conduct.approvalsBypassed.push({ request: e.request, by: e.by, ...idOf(e), t: e.t });
        break;
      case 'approval.denied':
        conduct.approvalsDenied.push({ request: e.request, by: e.by, ...idOf(e), t: e.t });
        break;
      case 'status.posted':
        updates.push(e.t);
        break;
      case 'incident.role':
        if (!roles.has(e.role)) roles.set(e.role, { person: e.person, at: e.t });
        break;
      case 'incident.state':
        if (e.to === 'declared') noteSeverity(conduct.severity, e.severity, e.t);
        break;
      case 'incident.severity':
        noteSeverity(conduct.severity, e.to, e.t);
        break;
    }
  }
  for (const f of followed.values()) (f.label === 'correct' ? conduct.goodAdviceFollowed : conduct.badAdviceFollowed).push(f);
  conduct.statusUpdates = cadence(updates, m, endedAt, scenario.scoring.statusCadence);
  conduct.roles = ROLES.map((role) => {
    const r = roles.get(role);
    return { role, person: r?.person ?? null, at: r?.at ?? null, afterDetectionMs: r && m.detected !== null ? Math.max(0, r.at - m.detected) : null };
  });
  conduct.severity.correct = conduct.severity.highest === conduct.severity.expected;
  return conduct;
}

/** A declaration or a severity change. The engine never declares without a severity, nor clears one. */
function noteSeverity(s: Conduct['severity'], severity: number | null, t: number): void {
  if (severity === null) return;
  s.declared ??= severity;
  s.at ??= t;
  s.highest = Math.min(s.highest ?? 5, severity);
}

/** An accepted remediation that does what a shown piece of advice proposed counts as following it. */
function matchAdvice(scenario: Scenario, e: EventOf<'command'>, shown: Map<string, number>, followed: Map<string, AdviceFollowed>): void {
  for (const advice of scenario.advice) {
    const p = advice.proposes;
    if (!p || followed.has(advice.id) || !shown.has(advice.id)) continue;
    if (p.type === e.command && p.target === e.target) {
      followed.set(advice.id, { advice: advice.id, label: advice.facilitator.label, action: proposalKey(p), by: e.actor, t: e.t });
    }
  }
}

/**
 * Status updates are due every `cadence` from detection until resolution (or the end of the run).
 * Every stretch longer than that without an update is a gap.
 */
function cadence(updates: number[], m: Milestones, endedAt: number, cadenceMs: number): Conduct['statusUpdates'] {
  const gaps: { from: number; to: number; ms: number }[] = [];
  if (m.detected !== null) {
    const end = m.resolved ?? endedAt;
    let last = m.detected;
    for (const t of [...updates.filter((u) => u > m.detected! && u <= end), end]) {
      if (t - last > cadenceMs) gaps.push({ from: last, to: t, ms: t - last });
      last = t;
    }
  }
  return { count: updates.length, cadenceMs, gaps };
}

