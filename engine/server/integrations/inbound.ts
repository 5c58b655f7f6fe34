/**
 * Acknowledging a drill page from the team's own tools (docs/integrations.md, "Acknowledge from your
 * own tools"): PagerDuty's webhook (pagerduty-inbound.ts) and Alertmanager's silences (silences.ts)
 * both end here, as an `ack` command from one named participant of one drill.
 *
 * The inbound secret is derived from the facilitator's token, like the join codes: the server keeps
 * only its hash, yet can show it to the facilitator again. It lets its holder do exactly one thing:
 * acknowledge this drill's page as a responder of this drill whose name they give.
 */
import type { InboundEndpoints } from '../../protocol/messages.ts';
import { deriveSecret, hashToken, matchesHash } from '../credentials.ts';
import type { LiveDrill } from '../drill.ts';
import type { Participant } from '../roster.ts';
import type { Store } from '../store.ts';

const PURPOSE = 'inbound';

/** The route a tool posts to; `:integration` is one of INBOUND_INTEGRATIONS. */
const inboundPath = (sessionId: string, integration: string): string => `/api/sessions/${encodeURIComponent(sessionId)}/inbound/${integration}`;

/** The tools that call sevdrill back. Alertmanager is not one: sevdrill reads its silences (silences.ts). */
export const INBOUND_INTEGRATIONS = ['pagerduty'] as const;

/** The hash stored with a new drill. */
export const inboundSecretHash = (facilitatorToken: string, sessionId: string): string => hashToken(deriveSecret(facilitatorToken, sessionId, PURPOSE));

/**
 * What the facilitator is shown: for each tool of INBOUND_INTEGRATIONS the drill sends to, the URL path
 * and the secret. A drill made before secrets were stored gets its hash now (the caller has checked
 * the token); undefined when the drill sends to none of them.
 */
export function inboundEndpoints(drill: LiveDrill, facilitatorToken: string, store: Store): InboundEndpoints | undefined {
  if (!(drill.record.integrations ?? []).includes('pagerduty')) return undefined;
  const secret = deriveSecret(facilitatorToken, drill.id, PURPOSE);
  if (!drill.record.inboundSecretHash) {
    drill.record.inboundSecretHash = hashToken(secret);
    store.setInboundSecretHash(drill.id, drill.record.inboundSecretHash);
  }
  return { pagerduty: { path: inboundPath(drill.id, 'pagerduty'), secret } };
}

/** Constant-time: both sides are hashed to fixed-length hex first. A drill with no stored hash opens to nothing. */
export function checkInboundSecret(drill: LiveDrill, secret: string | undefined): boolean {
  const hash = drill.record.inboundSecretHash ?? '';
  return secret !== undefined && hash !== '' && matchesHash(secret, hash);
}

/** Who a tool says acted: its display name, and an email address when it has one. */
export interface OutsidePerson {
  name?: string | undefined;
  email?: string | undefined;
}

/**
 * The responder a tool's user is, by this rule (docs/integrations.md): the responder whose name is the
 * user's display name, compared as the roster compares names (case, width, invisible and look-alike
 * characters folded); failing that, the responder whose name is the part of their email address
 * before the @. Removed participants, observers and the facilitator are nobody here: only a responder
 * may acknowledge in the drill.
 */
export function findResponder(drill: LiveDrill, who: OutsidePerson): Participant | undefined {
  const local = who.email?.includes('@') ? who.email.slice(0, who.email.lastIndexOf('@')) : undefined;
  for (const candidate of [who.name, local]) {
    const person = candidate === undefined ? undefined : drill.roster.responderNamed(candidate);
    if (person) return person;
  }
  return undefined;
}

/** How an acknowledgement from outside went. */
export type InboundAck =
  | { outcome: 'acknowledged'; participant: Participant }
  | { outcome: 'already-acknowledged' }
  | { outcome: 'refused'; code: string; message: string };

/**
 * Acknowledges the drill's incident as `person`. Only a command that can succeed is submitted: a tool
 * that delivers again (a PagerDuty retry, the next look at the silences) or one whose drill is paused
 * must not add a refused command to the log each time. The drill's budget is shared with its
 * responders, so a secret holder cannot flood it either.
 */
export function acknowledgeAs(drill: LiveDrill, person: Participant): InboundAck {
  if (drill.status !== 'live') return { outcome: 'refused', code: 'drill-closed', message: `the drill is ${drill.status}` };
  const { phase, incident } = drill.session.snapshot();
  if (incident.acknowledged) return { outcome: 'already-acknowledged' };
  if (phase !== 'running') return { outcome: 'refused', code: 'drill-not-running', message: `the drill is ${phase}; acknowledge again once it runs` };
  if (incident.state === 'idle') return { outcome: 'refused', code: 'no-incident', message: 'nothing has paged yet in the drill' };
  if (!drill.takeDrillBudget()) return { outcome: 'refused', code: 'rate-limited', message: 'this drill is receiving more actions than it can take; try again in a moment' };
  const result = drill.submit({ actor: person.name, participant: person.id, type: 'ack' });
  if (result.ok) return { outcome: 'acknowledged', participant: person };
  return { outcome: 'refused', code: result.code, message: result.message };
}
