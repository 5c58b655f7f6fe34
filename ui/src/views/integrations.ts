/**
 * The facilitator's view of the drill's integrations (the `integrations` message): for each of the
 * team's tools, whether this drill sends to it, how many messages went, wait, or were given up, the
 * last error (the server has already cut its URL down to the origin) and the last success. Under it,
 * how the team acknowledges the drill's page from those tools: PagerDuty's inbound URL and secret
 * (the facilitator's welcome alone carries them), and the silence that does it in Alertmanager.
 */
import type { InboundEndpoints, IntegrationName, IntegrationsMessage } from '../../../engine/protocol/messages.ts';
import { h } from '../dom.ts';
import { linkRow } from './people.ts';

export const INTEGRATION_LABELS: Record<IntegrationName, string> = { alertmanager: 'Alertmanager', pagerduty: 'PagerDuty', slack: 'Slack', webhook: 'Webhook' };

/** Times on the team's tools are wall times; at another speed they no longer match the drill's clock. */
export function speedWarning(anyOn: boolean, speed: number): string | null {
  if (!anyOn || speed === 1) return null;
  return `At speeds other than 1, times on your own tools are wall time: at ${speed}×, a simulated minute takes ${formatSeconds(60 / speed)} there, so alert and page times will not match the drill's clock.`;
}

const formatSeconds = (s: number) => (s >= 1 ? `${Number(s.toFixed(1))} s` : `${Math.round(s * 1000)} ms`);

export interface IntegrationsView {
  element: HTMLElement;
  show(message: IntegrationsMessage, speed: number): void;
}

/** What the facilitator's welcome said about acknowledging from outside. */
export interface InboundContext {
  sessionId: string;
  endpoints: InboundEndpoints | undefined;
}

/** How to acknowledge the drill's page from each tool the drill sends to that can (docs/integrations.md). */
function acknowledgeFromTools(on: ReadonlySet<IntegrationName>, inbound: InboundContext): HTMLElement | '' {
  const pagerduty = on.has('pagerduty') ? inbound.endpoints?.pagerduty : undefined;
  const alertmanager = on.has('alertmanager');
  if (!pagerduty && !alertmanager) return '';
  return h(
    'div',
    { class: 'inbound', 'aria-label': 'Acknowledge from your own tools' },
    h('h3', { text: 'Acknowledge from your own tools' }),
    pagerduty
      ? h(
          'div',
          { class: 'inbound-pagerduty' },
          h('p', {
            text: 'PagerDuty: add a V3 webhook subscription (event incident.acknowledged) with this URL and this Authorization header. Acknowledging the drill page there acknowledges it here, as the responder with the PagerDuty user’s name (or their email’s name).',
          }),
          linkRow('Inbound URL', `${location.origin}${pagerduty.path}`),
          linkRow('Authorization', `Bearer ${pagerduty.secret}`, 'keep it secret: it acknowledges this drill’s page as any of its responders'),
        )
      : '',
    alertmanager
      ? h('p', {
          class: 'inbound-alertmanager',
          text: `Alertmanager: silencing the drill alert with the matcher sevdrill_session="${inbound.sessionId}" acknowledges it here, as the responder named by the silence’s creator.`,
        })
      : '',
  );
}

export function createIntegrationsView(inbound: InboundContext): IntegrationsView {
  const element = h('section', { class: 'integrations', 'aria-label': 'Integrations', hidden: true });
  return {
    element,
    show(message, speed) {
      element.hidden = false;
      const on = message.integrations.filter((i) => i.on);
      const warning = speedWarning(on.length > 0, speed);
      element.replaceChildren(
        h('h2', { text: 'Your own tools' }),
        warning ? h('p', { class: 'warning integrations-warning', text: warning }) : '',
        h(
          'table',
          { class: 'integrations-status' },
          h('tr', {}, ...['tool', 'this drill', 'sent', 'waiting', 'given up', 'last error', 'last delivered'].map((t) => h('th', { text: t }))),
          ...message.integrations.map((i) =>
            h(
              'tr',
              { class: i.on ? (i.lastError !== null && i.gaveUp > 0 ? 'failing' : 'on') : 'off' },
              h('td', { text: INTEGRATION_LABELS[i.name] }),
              h('td', { text: i.on ? 'on' : i.configured ? 'off' : 'not configured' }),
              h('td', { text: i.sent }),
              h('td', { text: i.pending }),
              h('td', { text: i.gaveUp + (i.dropped > 0 ? ` (+${i.dropped} dropped, queue full)` : '') }),
              h('td', { text: i.lastError ?? '—' }),
              h('td', { text: i.lastSuccessAt ? new Date(i.lastSuccessAt).toLocaleTimeString() : '—' }),
            ),
          ),
        ),
        acknowledgeFromTools(new Set(on.map((i) => i.name)), inbound),
      );
    },
  };
}
