/**
 * PagerDuty Events API v2 (`POST …/v2/enqueue`). The drill's incident model decides what pages:
 *
 * - each page-severity alert that fires triggers one PagerDuty alert, keyed `sevdrill-<session>-<alert>`
 *   (the same dedup_key acknowledges and resolves it); ticket alerts page nobody, as in the drill;
 * - acknowledging the incident in the drill acknowledges every open page (and a page that fires after
 *   the acknowledgement is acknowledged as soon as it is triggered);
 * - resolving the incident, or the drill stopping, resolves every open page.
 *
 * Change events (a `change.deployed`) go to `…/v2/change/enqueue` beside the configured endpoint, when
 * it ends in `/v2/enqueue`; with any other URL there is nowhere known to send them and they are skipped.
 */
import { describe } from '../../protocol/describe.ts';
import type { EventOf } from '../../protocol/events.ts';
import { clip, formatClock } from '../../protocol/format.ts';
import { DRILL_PREFIX, type DrillContext, type Integration } from './integration.ts';
import type { Outgoing } from './queue.ts';

/** PagerDuty truncates a longer summary. */
const MAX_SUMMARY = 1024;

export function pagerdutyIntegration(config: { url: string; routingKey: string }, drill: DrillContext): Integration {
  const changeUrl = /\/v2\/enqueue\/?$/.test(config.url) ? config.url.replace(/\/v2\/enqueue\/?$/, '/v2/change/enqueue') : null;
  /** Alert ids triggered and not yet resolved, in the order they fired. */
  const open = new Set<string>();
  let acknowledged = false;
  const dedupKey = (alert: string) => `sevdrill-${drill.sessionId}-${alert}`;
  const send = (body: Record<string, unknown>, url = config.url): Outgoing => ({ url, body: JSON.stringify({ routing_key: config.routingKey, ...body }) });
  const action = (eventAction: 'acknowledge' | 'resolve', alert: string) => send({ event_action: eventAction, dedup_key: dedupKey(alert) });
  const resolveAll = () => {
    const out = [...open].map((alert) => action('resolve', alert));
    open.clear();
    return out;
  };

  const trigger = (e: EventOf<'alert.firing'>, at: Date): Outgoing =>
    send({
      event_action: 'trigger',
      dedup_key: dedupKey(e.alert),
      payload: {
        summary: clip(`${DRILL_PREFIX} ${e.name}: ${describe(e, drill.names)}`, MAX_SUMMARY),
        source: `sevdrill drill ${drill.sessionId}`,
        // A page is what the drill's on-call is woken for; PagerDuty's highest urgency matches it.
        severity: 'critical',
        timestamp: at.toISOString(),
        component: e.service ?? e.journey ?? e.topic ?? drill.scenarioId,
        group: drill.scenarioId,
        class: e.metric,
        custom_details: {
          drill: true,
          session: drill.sessionId,
          scenario: drill.scenarioId,
          scenario_title: drill.scenarioTitle,
          alert: e.alert,
          metric: e.metric,
          value: e.value,
          threshold: e.threshold,
          simulated_time: formatClock(e.t),
        },
      },
      client: 'sevdrill',
      client_url: drill.consoleUrl,
    });

  return {
    name: 'pagerduty',
    events(events, at) {
      const out: Outgoing[] = [];
      for (const e of events) {
        if (e.type === 'alert.firing' && e.severity === 'page' && !open.has(e.alert)) {
          open.add(e.alert);
          out.push(trigger(e, at));
          if (acknowledged) out.push(action('acknowledge', e.alert));
        } else if (e.type === 'incident.state' && e.to === 'acknowledged') {
          acknowledged = true;
          for (const alert of open) out.push(action('acknowledge', alert));
        } else if (e.type === 'incident.state' && e.to === 'resolved') {
          out.push(...resolveAll());
        } else if (e.type === 'change.deployed' && changeUrl !== null) {
          out.push(
            send(
              {
                payload: {
                  summary: clip(`${DRILL_PREFIX} ${describe(e, drill.names)}`, MAX_SUMMARY),
                  timestamp: at.toISOString(),
                  source: `sevdrill drill ${drill.sessionId}`,
                  custom_details: { drill: true, session: drill.sessionId, scenario: drill.scenarioId, service: e.service, author: e.author, simulated_time: formatClock(e.t) },
                },
                links: [{ href: drill.consoleUrl, text: 'sevdrill console' }],
              },
              changeUrl,
            ),
          );
        }
      }
      return out;
    },
    stopped: () => resolveAll(),
  };
}
