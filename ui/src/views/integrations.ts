/**
 * The facilitator's view of the drill's integrations (the `integrations` message): for each of the
 * team's tools, whether this drill sends to it, how many messages went, wait, or were given up, the
 * last error (the server has already cut its URL down to the origin) and the last success.
 */
import type { IntegrationName, IntegrationsMessage } from '../../../engine/protocol/messages.ts';
import { h } from '../dom.ts';

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

export function createIntegrationsView(): IntegrationsView {
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
      );
    },
  };
}
