/**
 * The facilitator's "Drill" panel, beside "Wiki & changes" and "People & links": the secrets that
 * steer the drill. The scenario's notes, its root cause and the severity a team should declare; the
 * faults active now and the injects to come, each with its time and an "Inject now" button; and every
 * piece of advice with its label and why, shown or still to come. Responders are never sent any of
 * it: the scenario's `facilitator` sections and the fault events reach the facilitator's socket only.
 */
import { formatClock } from '../../../engine/protocol/format.ts';
import { faultTargets } from '../../../engine/protocol/ids.ts';
import type { Scenario } from '../../../engine/protocol/scenario.ts';
import { describeVariation } from '../../../engine/protocol/varied.ts';
import type { IntegrationsMessage } from '../../../engine/protocol/messages.ts';
import { h } from '../dom.ts';
import type { ViewModel } from '../model.ts';
import { actionLabel, nameOf } from '../names.ts';
import { createIntegrationsView, type InboundContext } from './integrations.ts';

export interface DrillPanel {
  element: HTMLElement;
  update(m: ViewModel): void;
  /** How the drill's messages to the team's own tools are going (only drills that chose some). */
  showIntegrations(message: IntegrationsMessage): void;
}

export function createDrillPanel(inject: (fault: string) => void, inbound: InboundContext): DrillPanel {
  const body = h('div', { class: 'share-body facilitator-body' });
  // Kept across the body's redraws (it is put back at the end of each): it is redrawn as its own messages come.
  const integrations = createIntegrationsView(inbound);
  const element = h('details', { class: 'share facilitator-drill' }, h('summary', { text: 'Drill' }), body);
  let drawn: unknown[] = [];
  let last: ViewModel | null = null;
  let lastIntegrations: IntegrationsMessage | null = null;

  function draw(m: ViewModel, scenario: Scenario): void {
    const f = m.facilitator;
    if (!f) return;
    const ended = m.phase === 'ended';
    const injectButton = (fault: string) => {
      const b = h('button', { type: 'button', text: 'Inject now', 'aria-label': `Inject ${fault} now` });
      b.disabled = ended;
      b.addEventListener('click', () => inject(fault));
      return b;
    };
    // Fault ids are the scenario's own names for its faults; what they act on is said as the graph names it.
    const on = (fault: string | undefined): string => {
      const def = scenario.faults.find((x) => x.id === fault);
      if (!def) return '';
      const to = faultTargets(def).map((id) => nameOf(m, id)).join(', ');
      return def.from !== undefined ? ` on the calls from ${nameOf(m, def.from)} to ${to}` : ` on ${to}`;
    };
    // A YAML block keeps the author's line breaks; a line that carries on a sentence joins it again.
    const notes = scenario.facilitator.notes?.replace(/\n(?=[a-z(])/g, ' ');
    body.replaceChildren(
      // First: whether the team's own tools are getting the drill is what a facilitator checks mid-drill.
      integrations.element,
      h('h2', { text: 'Notes' }),
      notes ? h('p', { class: 'facilitator-notes-text', text: notes }) : h('p', { class: 'muted', text: 'The scenario has no notes.' }),
      h(
        'p',
        {},
        'Root cause: ',
        h('strong', { text: scenario.facilitator.rootCause ?? '(not named)' }),
        on(scenario.facilitator.rootCause),
        ` · expected severity: Sev ${scenario.facilitator.expectedSeverity}`,
      ),
      // What the seed drew is why this drill differs from last week's: the facilitator can say so in the debrief.
      Object.keys(f.variation).length > 0
        ? h('p', { class: 'variation' }, 'This seed drew: ', h('span', { text: describeVariation(f.variation) }))
        : h('p', { class: 'muted variation', text: 'Nothing in this scenario varies with the seed.' }),
      h('h2', { text: 'Faults' }),
      h(
        'ul',
        { class: 'fault-list', 'aria-label': 'Faults active and to come' },
        ...f.activeFaults.map((a) => h('li', { class: 'active' }, h('strong', { text: a.fault }), `${on(a.fault)} · active since ${formatClock(a.startedAt)}`)),
        ...f.upcomingInjects.map((u) => h('li', {}, h('strong', { text: u.fault }), `${on(u.fault)} · due at ${formatClock(u.at)} `, injectButton(u.fault))),
        ...scenario.faults
          .filter((x) => x.at === undefined && !f.activeFaults.some((a) => a.fault === x.id))
          .map((x) => h('li', { class: 'muted' }, h('strong', { text: x.id }), on(x.id), x.trigger ? ` · starts when someone runs “${actionLabel(m, { type: x.trigger.action, target: x.trigger.target })}” ` : ' · inject only ', injectButton(x.id))),
      ),
      h('h2', { text: 'Advice' }),
      scenario.advice.length === 0
        ? h('p', { class: 'muted', text: 'The scenario has no scheduled advice.' })
        : h(
            'ul',
            { class: 'advice-labels', 'aria-label': 'Advice and its labels' },
            ...scenario.advice.map((a) => {
              const shown = m.advice.find((x) => x.id === a.id);
              const label = f.adviceLabels[a.id] ?? a.facilitator.label;
              return h(
                'li',
                {},
                h('span', { class: `label ${label}`, text: label }),
                ' ',
                h('strong', { text: a.title ?? a.id }),
                ` · ${shown ? `shown at ${formatClock(shown.t)}` : `from ${formatClock(a.at)}${a.when ? ' (when its symptom shows)' : ''}`}`,
                a.facilitator.note ? h('div', { class: 'muted', text: a.facilitator.note }) : '',
              );
            }),
          ),
    );
  }

  function update(m: ViewModel): void {
    if (lastIntegrations && m.speed !== last?.speed) integrations.show(lastIntegrations, m.speed);
    last = m;
    const scenario = 'faults' in m.scenario ? (m.scenario as Scenario) : null;
    // Redrawn when what it shows changes, not at every tick's new facilitator view (a button keeps its focus).
    const f = m.facilitator;
    const key = [f === null ? '' : JSON.stringify([f.activeFaults, f.upcomingInjects]), m.advice.length, m.phase, element.open];
    if (!scenario || key.every((k, i) => k === drawn[i])) return;
    drawn = key;
    if (element.open) draw(m, scenario);
  }
  element.addEventListener('toggle', () => {
    drawn = [];
    if (last) update(last);
  });
  const showIntegrations = (message: IntegrationsMessage) => {
    lastIntegrations = message;
    integrations.show(message, last?.speed ?? 1);
  };
  return { element, update, showIntegrations };
}
