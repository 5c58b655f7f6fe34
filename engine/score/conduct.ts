/**
 * How the team conducted the response: harm done, bad advice followed, friction bypassed, the
 * cadence of status updates during the incident, roles, and whether the severity was right.
 */
import type { EngineEvent } from '../core/types.ts';
import { ROLES } from '../core/types.ts';
import type { Scenario } from '../scenario/schema.ts';
import type { Milestones } from './milestones.ts';

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
}


const idOf = (e: EngineEvent): { byId?: string } => (typeof e.byId === 'string' ? { byId: e.byId } : {});

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
  };
  const updates: number[] = [];
  const roles = new Map<string, { person: string; at: number }>();
  for (const e of events) {
    if (e.type === 'advice.shown') shown.set(e.advice as string, e.t);
    if (e.type === 'command' && !e.ok) conduct.rejectedCommands++;
    if (e.type === 'command' && e.ok) matchAdvice(scenario, e, shown, followed);
    if (e.type === 'fault.started' && typeof e.triggeredBy === 'string') {
      conduct.harmfulActions.push({ action: `${String(e.action)}`, by: e.triggeredBy, t: e.t, fault: e.fault as string });
    }
    if (e.type === 'approval.bypassed') conduct.approvalsBypassed.push({ request: e.request as string, by: e.by as string, ...idOf(e), t: e.t });
    if (e.type === 'approval.denied') conduct.approvalsDenied.push({ request: e.request as string, by: e.by as string, ...idOf(e), t: e.t });
    if (e.type === 'status.posted') updates.push(e.t);
    if (e.type === 'incident.role' && !roles.has(e.role as string)) roles.set(e.role as string, { person: e.person as string, at: e.t });
    if ((e.type === 'incident.state' && e.to === 'declared') || e.type === 'incident.severity') {
      const severity = (e.type === 'incident.severity' ? e.to : e.severity) as number;
      conduct.severity.declared ??= severity;
      conduct.severity.at ??= e.t;
      conduct.severity.highest = Math.min(conduct.severity.highest ?? 5, severity);
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

/** An accepted remediation that does what a shown piece of advice proposed counts as following it. */
function matchAdvice(scenario: Scenario, e: EngineEvent, shown: Map<string, number>, followed: Map<string, AdviceFollowed>): void {
  for (const advice of scenario.advice) {
    const p = advice.proposes;
    if (!p || followed.has(advice.id) || !shown.has(advice.id)) continue;
    if (p.type === e.command && p.target === e.target) {
      followed.set(advice.id, { advice: advice.id, label: advice.facilitator.label, action: `${p.type}:${p.target}`, by: e.actor as string, t: e.t });
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

