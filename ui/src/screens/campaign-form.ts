/**
 * The lobby's campaign form: one team's "week" of drills, created together (POST /api/campaigns with
 * `drills`). The facilitator lists the scenarios in the order the team will run them, each with its
 * own seed or difficulty (the scenario card's control), and one speed for all. On success every
 * drill's facilitator token is kept in this browser, as for a single drill, so the campaign page can
 * open each drill's console.
 */
import type { CreateCampaignResponse, ScenarioListing, ServerInfo } from '../../../engine/protocol/messages.ts';
import { keepCampaign } from '../campaign-store.ts';
import { adminToken, saveCredentials } from '../credentials.ts';
import { h } from '../dom.ts';
import { drillPick, type DrillPick } from './drill-pick.ts';

export interface CampaignForm {
  element: HTMLElement;
  /** The scenarios' latest listing: where the rating of each one's seeds stands. */
  show(scenarios: readonly ScenarioListing[]): void;
}

interface Row {
  scenario: ScenarioListing;
  pick: DrillPick;
  element: HTMLLIElement;
  number: HTMLElement;
  up: HTMLButtonElement;
  down: HTMLButtonElement;
  remove: HTMLButtonElement;
}

/** The server names a drill of the list by its index (`drills[1]: …`); people count from one. */
const humanMessage = (message: string): string => message.replace(/^drills\[(\d+)\]: /, (_m, i: string) => `Drill ${Number(i) + 1}: `);

export function campaignForm(scenarios: readonly ScenarioListing[], info: ServerInfo): CampaignForm {
  const latest = new Map(scenarios.map((s) => [s.id, s]));
  const team = h('input', { type: 'text', id: 'campaign-team', maxlength: 64, required: true, autocomplete: 'off' });
  const name = h('input', { type: 'text', id: 'campaign-name', maxlength: 120, placeholder: "the team's week", autocomplete: 'off' });
  const speed = h('input', { type: 'number', id: 'campaign-speed', min: 0.5, max: 60, step: 0.5, value: 10 });
  const adding = h('select', { id: 'campaign-add', 'aria-label': 'Scenario to add' }, ...scenarios.map((s) => h('option', { value: s.id, text: s.title })));
  const add = h('button', { type: 'button', text: 'Add drill' });
  const list = h('ol', { class: 'campaign-drills', 'aria-label': 'Drills of the week' });
  const empty = h('p', { class: 'muted empty-week', text: 'No drills yet: add the scenarios in the order the team will run them.' });
  const submit = h('button', { type: 'submit', class: 'primary', text: 'Create campaign', disabled: true });
  const status = h('div', { role: 'status', class: 'create-status' });
  const rows: Row[] = [];
  let made = 0;

  const redraw = () => {
    rows.forEach((row, i) => {
      const which = `drill ${i + 1} (${row.scenario.title})`;
      row.number.textContent = `${i + 1}.`;
      row.up.disabled = i === 0;
      row.down.disabled = i === rows.length - 1;
      row.up.setAttribute('aria-label', `Move ${which} earlier`);
      row.down.setAttribute('aria-label', `Move ${which} later`);
      row.remove.setAttribute('aria-label', `Remove ${which}`);
      if (list.children[i] !== row.element) list.insertBefore(row.element, list.children[i] ?? null);
    });
    empty.hidden = rows.length > 0;
    submit.disabled = rows.length === 0;
  };

  /** Moves a row by `by` places, keeping the focus on the button that moved it (moving a node drops it). */
  const move = (row: Row, by: number, button: HTMLButtonElement) => {
    const from = rows.indexOf(row);
    const to = Math.max(0, Math.min(rows.length - 1, from + by));
    rows.splice(from, 1);
    rows.splice(to, 0, row);
    redraw();
    (button.disabled ? row.remove : button).focus();
  };

  const addRow = (scenario: ScenarioListing) => {
    const small = (text: string) => h('button', { type: 'button', class: 'icon', text });
    const row: Row = {
      scenario,
      pick: drillPick(scenario, `week-${made++}`),
      element: h('li', { class: 'campaign-drill' }),
      number: h('span', { class: 'num' }),
      up: small('↑'),
      down: small('↓'),
      remove: small('✕'),
    };
    row.element.append(row.number, h('div', { class: 'what' }, h('strong', { class: 'title', text: scenario.title }), row.pick.element), h('span', { class: 'order' }, row.up, row.down, row.remove));
    row.up.addEventListener('click', () => move(row, -1, row.up));
    row.down.addEventListener('click', () => move(row, 1, row.down));
    row.remove.addEventListener('click', () => {
      rows.splice(rows.indexOf(row), 1);
      row.element.remove();
      redraw();
      add.focus();
    });
    rows.push(row);
    redraw();
  };
  add.addEventListener('click', () => {
    const scenario = latest.get(adding.value);
    if (scenario) addRow(scenario);
  });

  const form = h(
    'form',
    { class: 'campaign-form', 'aria-label': 'New campaign' },
    h('p', { class: 'fields' }, h('label', { for: team.id, text: 'Team' }), team, h('label', { for: name.id, text: 'Name' }), name, h('label', { for: speed.id, text: 'Speed' }), speed),
    list,
    empty,
    h('p', { class: 'fields' }, adding, add, submit),
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    void create();
  });

  async function create(): Promise<void> {
    const admin = info.createNeedsAdminToken ? adminToken.get() : '';
    const body = {
      team: team.value.trim(),
      ...(name.value.trim() ? { name: name.value.trim() } : {}),
      speed: Number(speed.value),
      drills: rows.map((r) => ({ scenarioId: r.scenario.id, ...r.pick.value() })),
    };
    submit.disabled = true;
    try {
      const res = await fetch('/api/campaigns', {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(admin ? { authorization: `Bearer ${admin}` } : {}) },
        body: JSON.stringify(body),
      });
      const created = (await res.json()) as CreateCampaignResponse & { message?: string };
      if (!res.ok) {
        status.replaceChildren(h('p', { class: 'error', text: humanMessage(created.message ?? 'could not create the campaign') }));
        return;
      }
      // As for a single drill: the tokens stay in this browser, which then runs each drill from the campaign page.
      for (const d of created.drills) saveCredentials(d.sessionId, { facilitatorToken: d.facilitatorToken, name: d.facilitatorName });
      keepCampaign({ id: created.campaignId, team: body.team, name: body.name ?? `${body.team}'s week` });
      location.hash = `#/campaign/${created.campaignId}`;
    } catch (error) {
      status.replaceChildren(h('p', { class: 'error', text: `The campaign could not be created: ${error instanceof Error ? error.message : String(error)}` }));
    } finally {
      submit.disabled = rows.length === 0;
    }
  }

  redraw();
  return {
    element: h('div', { class: 'campaign-create' }, form, status),
    show: (listed) => {
      for (const s of listed) latest.set(s.id, s);
      for (const row of rows) row.pick.show(latest.get(row.scenario.id)?.difficulty);
    },
  };
}
