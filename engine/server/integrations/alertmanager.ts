/**
 * Alertmanager push: the drill's alerts as Prometheus would send them (`POST <url>/api/v2/alerts`, a
 * JSON array of postable alerts), each labelled `drill="true"` so that a route can keep drills away
 * from the real rotation. The alert name is the one the exported rule file uses (alertName), so an
 * alert looks the same whichever way it reaches Alertmanager.
 *
 * Alertmanager resolves an alert it has not heard of for `resolve_timeout`, so, like Prometheus,
 * firing alerts are sent again periodically with `endsAt` a few re-send periods ahead; a cleared alert
 * (and every alert still firing when the drill stops) is sent once more with `endsAt` = now.
 */
import { describe } from '../../protocol/describe.ts';
import type { EventOf } from '../../protocol/events.ts';
import { formatClock } from '../../protocol/format.ts';
import { DRILL_LABEL, alertName } from '../../integrations/names.ts';
import { DRILL_PREFIX, type DrillContext, type Integration } from './integration.ts';
import type { Outgoing } from './queue.ts';

interface PostableAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: string;
  endsAt?: string;
  generatorURL: string;
}

/** Prometheus keeps an alert valid for four re-send periods: one or two lost re-sends do not resolve it. */
const VALID_FOR_RESENDS = 4;

export function alertmanagerIntegration(baseUrl: string, drill: DrillContext, resendMs: number): Integration {
  const url = `${baseUrl}/api/v2/alerts`;
  const firing = new Map<string, PostableAlert>();
  const post = (alerts: PostableAlert[], coalesce?: string): Outgoing => ({ url, body: JSON.stringify(alerts), ...(coalesce ? { coalesce } : {}) });
  const validUntil = (at: Date) => new Date(at.getTime() + VALID_FOR_RESENDS * resendMs).toISOString();
  const ended = (alert: PostableAlert, at: Date): PostableAlert => ({ ...alert, endsAt: at.toISOString() });

  return {
    name: 'alertmanager',
    events(events, at) {
      const changed: PostableAlert[] = [];
      for (const e of events) {
        if (e.type === 'alert.firing') {
          const alert = { ...toAlert(e, drill, at), endsAt: validUntil(at) };
          firing.set(e.alert, alert);
          changed.push(alert);
        } else if (e.type === 'alert.resolved') {
          const alert = firing.get(e.alert);
          if (!alert) continue;
          firing.delete(e.alert);
          changed.push(ended(alert, at));
        }
      }
      return changed.length === 0 ? [] : [post(changed)];
    },
    stopped(at) {
      const open = [...firing.values()].map((a) => ended(a, at));
      firing.clear();
      return open.length === 0 ? [] : [post(open)];
    },
    resend(at) {
      if (firing.size === 0) return null;
      // A re-send still waiting behind a slow receiver is replaced by the newer one, not queued twice.
      return post(
        [...firing.values()].map((a) => ({ ...a, endsAt: validUntil(at) })),
        'resend',
      );
    },
  };
}

function toAlert(e: EventOf<'alert.firing'>, drill: DrillContext, at: Date): PostableAlert {
  return {
    labels: alertLabels(e, drill),
    annotations: {
      summary: `${DRILL_PREFIX} ${e.name}`,
      description: `${DRILL_PREFIX} ${describe(e, drill.names)} Drill ${drill.sessionId} of “${drill.scenarioTitle}”, at simulated ${formatClock(e.t)}; not a real incident.`,
    },
    startsAt: at.toISOString(),
    generatorURL: drill.consoleUrl,
  };
}

/** The labels a drill alert carries in Alertmanager; silences.ts matches silences against the same ones. */
export function alertLabels(
  a: { alert: string; severity: string; service?: string | undefined; journey?: string | undefined; topic?: string | undefined },
  drill: Pick<DrillContext, 'sessionId' | 'scenarioId'>,
): Record<string, string> {
  const where: Record<string, string> = a.service !== undefined ? { service: a.service } : a.journey !== undefined ? { journey: a.journey } : a.topic !== undefined ? { topic: a.topic } : {};
  return {
    alertname: alertName(a.alert),
    severity: a.severity,
    ...where,
    ...DRILL_LABEL,
    sevdrill_session: drill.sessionId,
    scenario: drill.scenarioId,
    sevdrill_alert: a.alert,
  };
}
