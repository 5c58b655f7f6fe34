/** The lobby: scenarios with briefings, create a drill, join by code, past drills, leaderboards. */
import type { BrokenScenarioFile, CreateSessionResponse, ScenarioList, ScenarioListing, ServerInfo, SessionListing, SessionPage } from '../../../engine/protocol/messages.ts';
import { adminToken, saveCredentials } from '../credentials.ts';
import { h } from '../dom.ts';

export async function renderLobby(root: HTMLElement): Promise<void> {
  const main = h('main', { class: 'lobby' }, h('h1', { text: 'sevdrill' }), h('p', { class: 'lede', text: 'Rehearse a Sev 1 before a real one happens.' }));
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
  for (const s of scenarios) list.append(scenarioCard(s, info));
  main.append(list, pastDrills());
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

function scenarioCard(s: ScenarioListing, info: ServerInfo): HTMLElement {
  const seed = h('input', { type: 'number', min: 0, value: s.defaultSeed, id: `seed-${s.id}` });
  const speed = h('input', { type: 'number', min: 0.5, max: 60, step: 0.5, value: 10, id: `speed-${s.id}` });
  const team = h('input', { type: 'text', maxlength: 64, id: `team-${s.id}` });
  const you = h('input', { type: 'text', maxlength: 64, id: `you-${s.id}`, placeholder: 'Facilitator', autocomplete: 'name' });
  const inviteOnly = h('input', { type: 'checkbox', id: `invite-${s.id}` });
  const status = h('p', { role: 'status' });
  const form = h(
    'form',
    { 'aria-label': `Create a ${s.title} drill` },
    h('label', { for: seed.id, text: 'Seed' }),
    seed,
    h('label', { for: speed.id, text: 'Speed' }),
    speed,
    h('label', { for: team.id, text: 'Team' }),
    team,
    h('label', { for: you.id, text: 'Your name' }),
    you,
    h('label', { for: inviteOnly.id, class: 'check', title: 'Each responder joins through a link made for them by name; the shared responder code is refused.' }, inviteOnly, ' Invite-only'),
    h('button', { type: 'submit', text: 'Create drill' }),
  );
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const admin = info.createNeedsAdminToken ? adminToken.get() : '';
    const res = await fetch('/api/sessions', {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(admin ? { authorization: `Bearer ${admin}` } : {}) },
      body: JSON.stringify({
        scenarioId: s.id,
        seed: Number(seed.value),
        speed: Number(speed.value),
        join: inviteOnly.checked ? 'invite' : 'code',
        ...(team.value.trim() ? { team: team.value.trim() } : {}),
        ...(you.value.trim() ? { facilitatorName: you.value.trim() } : {}),
      }),
    });
    const body = (await res.json()) as CreateSessionResponse & { message?: string };
    if (!res.ok) {
      status.textContent = body.message ?? 'could not create the drill';
      return;
    }
    // The token stays in this browser: reopening the drill's URL here gets the facilitator back in.
    saveCredentials(body.sessionId, { facilitatorToken: body.facilitatorToken, name: body.facilitatorName });
    location.hash = `#/drill/${body.sessionId}`;
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
  return h('article', { class: 'scenario' }, h('h3', { text: s.title }), h('p', { class: 'briefing', text: s.briefing }), form, status, board);
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
      `${s.title} · ${s.team ?? 'no team'} · ${s.status === 'live' ? s.phase : s.status}${s.score !== null ? ` · score ${s.score}` : ''} · ${new Date(s.createdAt).toLocaleString()} · `,
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
