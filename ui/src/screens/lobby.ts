/** The lobby: scenarios with briefings, create a drill, join by code, past drills, leaderboards. */
import type { CreateSessionResponse, ScenarioListing, SessionSummary } from '../../../engine/protocol.ts';
import { saveCredentials } from '../credentials.ts';
import { clock, h } from '../dom.ts';

export async function renderLobby(root: HTMLElement): Promise<void> {
  const main = h('main', { class: 'lobby' }, h('h1', { text: 'sevdrill' }), h('p', { class: 'lede', text: 'Rehearse a Sev 1 before a real one happens.' }));
  root.append(main);
  main.append(joinForm());
  const [{ scenarios }, { sessions }] = await Promise.all([
    fetch('/api/scenarios').then((r) => r.json() as Promise<{ scenarios: ScenarioListing[] }>),
    fetch('/api/sessions').then((r) => r.json() as Promise<{ sessions: SessionSummary[] }>),
  ]);
  const list = h('section', { 'aria-label': 'Scenarios' }, h('h2', { text: 'Scenarios' }));
  for (const s of scenarios) list.append(scenarioCard(s));
  main.append(list, pastDrills(sessions));
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

function scenarioCard(s: ScenarioListing): HTMLElement {
  const seed = h('input', { type: 'number', min: 0, value: s.defaultSeed, id: `seed-${s.id}` });
  const speed = h('input', { type: 'number', min: 0.5, max: 60, step: 0.5, value: 10, id: `speed-${s.id}` });
  const team = h('input', { type: 'text', maxlength: 64, id: `team-${s.id}` });
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
    h('button', { type: 'submit', text: 'Create drill' }),
  );
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const res = await fetch('/api/sessions', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ scenarioId: s.id, seed: Number(seed.value), speed: Number(speed.value), ...(team.value.trim() ? { team: team.value.trim() } : {}) }),
    });
    const body = (await res.json()) as CreateSessionResponse & { message?: string };
    if (!res.ok) {
      status.textContent = body.message ?? 'could not create the drill';
      return;
    }
    saveCredentials(body.sessionId, { token: body.facilitatorToken, name: 'facilitator', responderCode: body.responderCode, observerCode: body.observerCode });
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

function pastDrills(sessions: SessionSummary[]): HTMLElement {
  const section = h('section', { 'aria-label': 'Past drills' }, h('h2', { text: 'Drills' }));
  if (sessions.length === 0) section.append(h('p', { text: 'No drills yet.' }));
  for (const s of [...sessions].reverse()) {
    section.append(
      h(
        'p',
        { class: 'past' },
        `${s.title} · ${s.team ?? 'no team'} · ${s.phase} at ${clock(s.now)} · `,
        h('a', { href: `#/debrief/${s.sessionId}`, text: 'debrief' }),
        ' · ',
        h('a', { href: `#/replay/${s.sessionId}`, text: 'replay' }),
      ),
    );
  }
  return section;
}
