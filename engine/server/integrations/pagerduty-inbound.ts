/**
 * A PagerDuty V3 webhook on a drill's inbound URL (`POST /api/sessions/:id/inbound/pagerduty`, already
 * authenticated by the drill's inbound secret): an `incident.acknowledged` of one of this drill's
 * pages becomes an `ack` from the responder the PagerDuty user is (inbound.ts, findResponder).
 *
 * PagerDuty retries a delivery on a 5xx, a 429 or no answer, drops it on any other 4xx, and disables a
 * subscription after three deliveries in a row are dropped. So whatever is simply not for this drill
 * (another event type, another drill's or a real incident), and an acknowledgement by someone who is
 * not a responder of the drill, is answered 202 and not acted on; a second delivery of an
 * acknowledgement is a 200.
 */
import { REQUEST_ERRORS, pagerdutyWebhookSchema } from '../../protocol/http.ts';
import type { ErrorMessage, InboundResponse } from '../../protocol/messages.ts';
import type { LiveDrill } from '../drill.ts';
import type { Logger } from '../logger.ts';
import { acknowledgeAs, findResponder } from './inbound.ts';

export type InboundReply = { status: number; body: InboundResponse } | { status: number; error: { code: string; message: string } };

const ignored = (reason: string): InboundReply => ({ status: 202, body: { ok: true, outcome: 'ignored', reason } });

/** The HTTP status of each refusal acknowledgeAs can give: the drill's state (409), or its budget (429: PagerDuty retries). */
const REFUSED_STATUS: Record<string, number> = { 'rate-limited': 429 };

export function pagerdutyAcknowledgement(drill: LiveDrill, body: unknown, logger: Logger): InboundReply {
  const parsed = pagerdutyWebhookSchema.safeParse(body);
  if (!parsed.success) return { status: 400, error: REQUEST_ERRORS.webhook };
  const { event } = parsed.data;
  if (event.event_type !== 'incident.acknowledged') return ignored(`${event.event_type.slice(0, 64)} is not an acknowledgement`);
  // The dedup_key sevdrill sent (pagerduty.ts): a session id may itself hold a dash, so match the whole prefix.
  const key = event.data?.incident_key ?? '';
  const prefix = `sevdrill-${drill.id}-`;
  if (!key.startsWith(prefix)) return ignored("not one of this drill's pages (another drill's, or not from sevdrill)");
  const alertId = key.slice(prefix.length);
  if (!drill.scenario.alerts.some((a) => a.id === alertId && a.severity === 'page')) return ignored(`this drill has no page "${alertId.slice(0, 64)}"`);

  const who = { name: event.agent?.summary ?? event.agent?.name ?? undefined, email: event.agent?.email ?? undefined };
  const person = findResponder(drill, who);
  const where = { sessionId: drill.id, integration: 'pagerduty' };
  if (!person) {
    const named = who.name ?? who.email ?? 'someone unnamed';
    const message = `PagerDuty says "${named.slice(0, 64)}" acknowledged, and no responder of this drill has that name (or that email address's name); nothing was acknowledged`;
    logger.warn({ ...where, errorCode: 'unknown-person' }, `drill ${drill.id}: ${message}`);
    // The facilitator can fix it mid-drill (the person joins under their PagerDuty name)...
    drill.tell(JSON.stringify({ type: 'error', code: 'unknown-person', message } satisfies ErrorMessage), 'facilitator');
    // ...and PagerDuty must not see a 4xx: three dropped deliveries in a row disable the subscription.
    return { status: 202, body: { ok: true, outcome: 'unknown-person', reason: message } };
  }
  const acked = acknowledgeAs(drill, person);
  switch (acked.outcome) {
    case 'acknowledged':
      logger.info({ ...where, participant: person.id }, `drill ${drill.id}: acknowledged by ${person.name} (${person.id}) from PagerDuty`);
      return { status: 200, body: { ok: true, outcome: 'acknowledged', participant: { id: person.id, name: person.name } } };
    case 'already-acknowledged':
      return { status: 200, body: { ok: true, outcome: 'already-acknowledged' } };
    case 'refused':
      logger.info({ ...where, participant: person.id, errorCode: acked.code }, `drill ${drill.id}: PagerDuty acknowledgement by ${person.name} refused: ${acked.message}`);
      return { status: REFUSED_STATUS[acked.code] ?? 409, error: { code: acked.code, message: acked.message } };
  }
}
