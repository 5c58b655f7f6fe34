/** The lobby: scenarios with briefings, create a drill or a campaign, join by code, past drills, leaderboards. */
import type { BrokenScenarioFile, CreateSessionResponse, ScenarioDetail, ScenarioList, ScenarioListing, ServerInfo, SessionListing, SessionPage } from '../../../engine/protocol/messages.ts';
import { adminToken, saveCredentials } from '../credentials.ts';
import { h } from '../dom.ts';
import { drillPick, rating, type DrillPick } from './drill-pick.ts';
import { campaignsSection } from './lobby-campaigns.ts';
import { integrationsChoice } from './lobby-integrations.ts';

/** How often the lobby asks again while a scenario's seeds are being rated by difficulty. */
const RATING_POLL_MS = 2_000;

export async function renderLobby(root: HTMLElement): Promise<void> {
  // The campaign form sits below every scenario card: one click takes a facilitator there (a hash link would be a route).
  const toCampaigns = h('button', { type: 'button', class: 'link-button', text: 'Plan a week of drills' });
  toCampaigns.addEventListener('click', () => {
    document.getElementById('campaigns-heading')?.scrollIntoView({ block: 'start' });
    document.getElementById('campaign-team')?.focus({ preventScroll: true });
  });
  const main = h('main', { class: 'lobby' }, h('h1', { text: 'sevdrill' }), h('p', { class: 'lede' }, 'Rehearse a Sev 1 before a real one happens. ', toCampaigns));
  root.append(main);
  main.append(joinForm());
  const [{ scenarios, broken }, info] = await Promise.all([
    fetch('/api/scenarios').then((r) => r.json() as Promise<ScenarioList>),
    fetch('/api/config').then((r) => r.json() as Promise<ServerInfo>),
  ]);
  if (info.createNeedsAdminToken) main.append(adminTokenField());
  const list = h('section', { 'aria-label': 'Scenarios' }, h('h2', { text: 'Scenarios' }));
  // Older servers send no `broken`. Listed first, so a scenario that is missing from the cards is explained.
  if (broken?.length) list.append(brokenFiles(broken));
  const picks = new Map<string, DrillPick>();
  for (const s of scenarios) {
    const card = scenarioCard(s, info);
    picks.set(s.id, card.pick);
    list.append(card.element);
  }
  const campaigns = campaignsSection(scenarios, info);
  main.append(list, campaigns.element, pastDrills());
  const show = (listed: readonly ScenarioListing[]) => {
    for (const s of listed) picks.get(s.id)?.show(s.difficulty);
    campaigns.show(listed);
  };
  if (scenarios.some((s) => rating(s.difficulty))) followRating(main, show);
}

/** Asks the server again while any scenario's seeds are being rated, and shows the progress; stops once none is, or the lobby is left. */
function followRating(main: HTMLElement, show: (scenarios: readonly ScenarioListing[]) => void): void {
  const poll = async () => {
    if (!main.isConnected) return;
    let scenarios: ScenarioListing[];
    try {
      scenarios = ((await (await fetch('/api/scenarios')).json()) as ScenarioList).scenarios;
    } catch {
      // The server restarting, say: try again at the next turn.
      setTimeout(() => void poll(), RATING_POLL_MS);
      return;
    }
    if (!main.isConnected) return;
    show(scenarios);
    if (scenarios.some((s) => rating(s.difficulty))) setTimeout(() => void poll(), RATING_POLL_MS);
  };
  setTimeout(() => void poll(), RATING_POLL_MS);
}

/** Scenario files on the server that hold no playable scenario, each with its diagnostics as `sevdrill validate` prints them. */
function brokenFiles(broken: readonly BrokenScenarioFile[]): HTMLElement {
  const files = broken.length === 1 ? '1 scenario file' : `${broken.length} scenario files`;
  return h(
    'section',
    { class: 'broken-files', 'aria-label': 'Scenario files that could not be loaded' },
    h('h3', { text: `Could not load ${files}` }),
    h('p', { class: 'hint', text: 'They are not offered below. Fix each problem and save: the server checks the file again; reload this page to see the result.' }),
    ...broken.map((b) =>
      h('div', { class: 'broken-file' }, h('h4', {}, h('code', { text: b.file })), h('ul', {}, ...b.messages.map((m) => h('li', {}, h('code', { text: m }))))),
    ),
  );
}

/** This server makes only its admins create drills: the token is kept in this browser once typed. */
function adminTokenField(): HTMLElement {
  const input = h('input', { id: 'admin-token', type: 'password', autocomplete: 'off', value: adminToken.get() });
  input.addEventListener('change', () => adminToken.set(input.value.trim()));
  return h(
    'p',
    { class: 'admin-token' },
    h('label', { for: 'admin-token', text: 'Admin token (this server needs it to create drills)' }),
    input,
  );
}

function joinForm(): HTMLElement {
  const code = h('input', { id: 'join-code', name: 'code', required: true, autocomplete: 'off' });
  const session = h('input', { id: 'join-session', name: 'session', required: true, autocomplete: 'off' });
  const form = h(
    'form',
    { class: 'join', 'aria-label': 'Join a drill' },
    h('h2', { text: 'Join a drill' }),
    h('label', { for: 'join-session', text: 'Drill id' }),
    session,
    h('label', { for: 'join-code', text: 'Join code' }),
    code,
    h('button', { type: 'submit', text: 'Join' }),
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    location.hash = `#/join/${encodeURIComponent(session.value.trim())}?code=${encodeURIComponent(code.value.trim())}`;
  });
  return form;
}

function scenarioCard(s: ScenarioListing, info: ServerInfo): { element: HTMLElement; pick: DrillPick } {
  const pick = drillPick(s);
  const speed = h('input', { type: 'number', min: 0.5, max: 60, step: 0.5, value: 10, id: `speed-${s.id}` });
  const team = h('input', { type: 'text', maxlength: 64, id: `team-${s.id}` });
  const you = h('input', { type: 'text', maxlength: 64, id: `you-${s.id}`, placeholder: 'Facilitator', autocomplete: 'name' });
  const inviteOnly = h('input', { type: 'checkbox', id: `invite-${s.id}` });
  const friction = frictionChoice(s);
  // Servers older than `integrations` in /api/config have none.
  const integrations = integrationsChoice(s.id, info.integrations ?? [], speed);
  const status = h('div', { role: 'status', class: 'create-status' });
  const form = h(
    'form',
    { 'aria-label': `Create a ${s.title} drill` },
    pick.element,
    h('label', { for: speed.id, text: 'Speed' }),
    speed,
    h('label', { for: team.id, text: 'Team' }),
    team,
    h('label', { for: you.id, text: 'Your name' }),
    you,
    h('label', { for: inviteOnly.id, class: 'check', title: 'Each responder joins through a link made for them by name; the shared responder code is refused.' }, inviteOnly, ' Invite-only'),
    friction.element,
    integrations.element,
    h('button', { type: 'submit', text: 'Create drill' }),
  );
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const asked = pick.value();
    const admin = info.createNeedsAdminToken ? adminToken.get() : '';
    const res = await fetch('/api/sessions', {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(admin ? { authorization: `Bearer ${admin}` } : {}) },
      body: JSON.stringify({
        scenarioId: s.id,
        ...asked,
        speed: Number(speed.value),
        join: inviteOnly.checked ? 'invite' : 'code',
        ...friction.value(),
        ...integrations.value(),
        ...(team.value.trim() ? { team: team.value.trim() } : {}),
        ...(you.value.trim() ? { facilitatorName: you.value.trim() } : {}),
      }),
    });
    const body = (await res.json()) as CreateSessionResponse & { message?: string };
    if (!res.ok) {
      status.replaceChildren(h('p', { class: 'error', text: body.message ?? 'could not create the drill' }));
      return;
    }
    // The token stays in this browser: reopening the drill's URL here gets the facilitator back in.
    saveCredentials(body.sessionId, { facilitatorToken: body.facilitatorToken, name: body.facilitatorName });
    // A seed the facilitator typed is known to them; one the server picked is shown before the console opens.
    if ('difficulty' in asked) status.replaceChildren(picked(body, asked.difficulty, pick));
    else location.hash = `#/drill/${body.sessionId}`;
  });
  const board = h('div', { class: 'board' });
  void fetch(`/api/leaderboard/${encodeURIComponent(s.id)}`)
    .then((r) => r.json() as Promise<{ seeds: { seed: number; entries: { rank: number; team: string; score: number; sessionId: string }[] }[] }>)
    .then(({ seeds }) => {
      for (const g of seeds) {
        board.append(
          h(
            'table',
            {},
            h('caption', { text: `Leaderboard, seed ${g.seed}` }),
            h('tr', {}, h('th', { text: '#' }), h('th', { text: 'team' }), h('th', { text: 'score' })),
            ...g.entries.map((e) => h('tr', {}, h('td', { text: e.rank }), h('td', { text: e.team }), h('td', { text: e.score }))),
          ),
        );
      }
    });
  return { element: h('article', { class: 'scenario' }, h('h3', { text: s.title }), h('p', { class: 'briefing', text: s.briefing }), form, status, board), pick };
}

/**
 * Controlled friction for this drill: the scenario's own policy (named once the scenario's details
 * arrive), or on or off. Off runs it "before the policy": changes and approval-marked actions go
 * ahead without a second person; the same scenario run both ways shows the difference.
 */
function frictionChoice(s: ScenarioListing): { element: HTMLElement; value(): { controlledFriction?: 'on' | 'off' } } {
  const scenarioDefault = h('option', { value: '', text: "scenario's default" });
  const select = h('select', { id: `friction-${s.id}` }, scenarioDefault, h('option', { value: 'on', text: 'on' }), h('option', { value: 'off', text: 'off' }));
  void fetch(`/api/scenarios/${encodeURIComponent(s.id)}`)
    .then((r) => (r.ok ? (r.json() as Promise<ScenarioDetail>) : null))
    .then((detail) => {
      if (detail) scenarioDefault.textContent = `${detail.scenario.controlledFriction} (scenario's default)`;
    })
    .catch(() => {});
  const element = h(
    'span',
    { class: 'friction-choice' },
    h('label', { for: select.id, title: 'On: changes to critical services and approval-marked actions wait for a second person. Off: "before the policy", they go ahead at once.', text: 'Controlled friction' }),
    select,
  );
  return { element, value: () => (select.value === 'on' || select.value === 'off' ? { controlledFriction: select.value } : {}) };
}

/** A drill created by difficulty: the seed the server picked, the way to run it again for another team, and the way in. */
function picked(created: CreateSessionResponse, difficulty: string, pick: DrillPick): HTMLElement {
  // Servers older than `seed` in the response: the console still opens, the seed is in the drill list.
  const seed = typeof created.seed === 'number' ? created.seed : null;
  const again = h('button', { type: 'button', text: `Use seed ${seed ?? ''}` });
  again.addEventListener('click', () => seed !== null && pick.useSeed(seed));
  return h(
    'div',
    { class: 'created' },
    h('p', {}, `Created a ${difficulty} drill: `, h('strong', { class: 'picked-seed', text: seed === null ? 'seed not reported' : `seed ${seed}` }), '.'),
    seed === null ? null : h('p', { class: 'muted' }, `To run the same drill for another team, create it with seed ${seed}. `, again),
    h('p', {}, h('a', { class: 'open-console', href: `#/drill/${created.sessionId}`, text: 'Open the console' })),
  );
}

/** Drills on this server, newest first, a page at a time. */
function pastDrills(): HTMLElement {
  const section = h('section', { 'aria-label': 'Past drills' }, h('h2', { text: 'Drills' }));
  const more = h('button', { type: 'button', class: 'link-button', text: 'Older drills', hidden: true });
  let next: string | null = null;
  const row = (s: SessionListing) =>
    h(
      'p',
      { class: 'past' },
      `${s.title} · seed ${s.seed} · ${s.team ?? 'no team'} · ${s.status === 'live' ? s.phase : s.status}${s.score !== null ? ` · score ${s.score}` : ''} · ${new Date(s.createdAt).toLocaleString()} · `,
      h('a', { href: `#/debrief/${s.sessionId}`, text: 'debrief' }),
      ' · ',
      h('a', { href: `#/replay/${s.sessionId}`, text: 'replay' }),
    );
  const load = async () => {
    const page = (await (await fetch(`/api/sessions?limit=20${next ? `&before=${encodeURIComponent(next)}` : ''}`)).json()) as SessionPage;
    if (next === null && page.sessions.length === 0) section.insertBefore(h('p', { text: 'No drills yet.' }), more);
    for (const s of page.sessions) section.insertBefore(row(s), more);
    next = page.next;
    more.hidden = next === null;
  };
  more.addEventListener('click', () => void load());
  section.append(more);
  void load();
  return section;
}
