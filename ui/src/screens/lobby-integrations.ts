/**
 * The lobby's choice of the team's own tools a new drill sends to (docs/integrations.md): one
 * checkbox per integration this server has configured, all off by default. With any of them on and
 * a speed other than 1, a warning: the team's tools see wall-clock times, the drill runs faster or
 * slower.
 */
import type { IntegrationName } from '../../../engine/protocol/messages.ts';
import { h } from '../dom.ts';
import { INTEGRATION_LABELS, speedWarning } from '../views/integrations.ts';

export interface IntegrationsChoice {
  element: HTMLElement;
  value(): { integrations?: IntegrationName[] };
}

export function integrationsChoice(key: string, configured: readonly IntegrationName[], speed: HTMLInputElement): IntegrationsChoice {
  const boxes = configured.map((name) => ({ name, box: h('input', { type: 'checkbox', id: `integration-${name}-${key}`, name: 'integrations', value: name }) }));
  const warning = h('p', { class: 'integrations-warning warning', role: 'status', hidden: true });
  const update = () => {
    const text = speedWarning(boxes.some((b) => b.box.checked), Number(speed.value));
    warning.hidden = text === null;
    warning.textContent = text ?? '';
  };
  for (const { box } of boxes) box.addEventListener('change', update);
  speed.addEventListener('input', update);
  const element =
    configured.length === 0
      ? h('span', { hidden: true })
      : h(
          'fieldset',
          { class: 'integrations-choice' },
          h('legend', { text: 'Send to your own tools (marked as a drill)' }),
          ...boxes.map(({ name, box }) => h('label', { for: box.id, class: 'check' }, box, ` ${INTEGRATION_LABELS[name]}`)),
          warning,
        );
  return {
    element,
    value: () => {
      const chosen = boxes.filter((b) => b.box.checked).map((b) => b.name);
      return chosen.length > 0 ? { integrations: chosen } : {};
    },
  };
}
