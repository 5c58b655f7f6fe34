/**
 * The drill console: one screen, no scrolling at 1440×900. It folds the server's events into the
 * view-model and redraws at most once per animation frame.
 */
import { createDrillPanel, type DrillPanel } from '../views/facilitator-drill.ts';
import { formatClock } from '../../../engine/protocol/format.ts';
import type { ServerMessage, WelcomeMessage } from '../../../engine/protocol/messages.ts';
import { DrillLink, type HelloCredentials, type LinkState } from '../connection.ts';
import { deviceId, forgetCredentials, loadCredentials, saveCredentials } from '../credentials.ts';
import { h } from '../dom.ts';
import { installShortcuts } from '../keys.ts';
import type { Route } from '../main.ts';
import { SeriesStore, applyEvents, applySample, modelFromWelcome, type ViewModel } from '../model.ts';
import { createApprovalBanner } from '../views/approval-banner.ts';
import { clearTitle, markTitle, setPageTitle } from '../attention.ts';
import { createGuidance } from '../views/guidance.ts';
import { createFacilitatorNotes, type FacilitatorNotes } from '../views/facilitator.ts';
import { createPeopleView, type PeopleView } from '../views/people.ts';
import { buildPanes, hasChangeWindow, tabbed, viewContext } from './panes.ts';

export function renderConsole(root: HTMLElement, route: Route): () => void {
  const { sessionId } = route;
  // Secrets in the link are moved into this browser's storage and out of the address bar at once.
  const fromLink = { token: route.params.get('token'), code: route.params.get('code'), invite: route.params.get('invite') };
  if (fromLink.token) saveCredentials(sessionId, { facilitatorToken: fromLink.token });
  // A new code or invite link replaces an identity this browser no longer holds; it never replaces one it does.
  const held = loadCredentials(sessionId);
  if (!held.participantToken && !held.facilitatorToken) {
    if (fromLink.invite) saveCredentials(sessionId, { invite: fromLink.invite });
    else if (fromLink.code) saveCredentials(sessionId, { code: fromLink.code });
  }
  if (fromLink.token || fromLink.code || fromLink.invite) history.replaceState(null, '', `#/${route.screen}/${sessionId}`);
  let teardown: (() => void) | undefined;
  const begin = () => {
    root.replaceChildren();
    teardown = start(root, sessionId, (code, message) => {
      teardown?.();
      teardown = undefined;
      refused(root, sessionId, code, message, begin);
    });
  };
  const creds = loadCredentials(sessionId);
  if (!creds.facilitatorToken && !creds.participantToken && !creds.invite && !creds.code) {
    refused(root, sessionId, 'no-credential', 'This browser has no way into this drill yet.', begin);
  } else if (!creds.facilitatorToken && !creds.participantToken && !creds.invite && !creds.name) {
    askName(root, null, (name) => {
      saveCredentials(sessionId, { name });
      begin();
    });
  } else begin();
  return () => teardown?.();
}

function askName(root: HTMLElement, problem: string | null, done: (name: string) => void): void {
  root.replaceChildren();
  const input = h('input', { id: 'your-name', required: true, maxlength: 64, autocomplete: 'name' });
  const form = h(
    'form',
    { class: 'ask-name' },
    h('h1', { text: 'Join the drill' }),
    h('label', { for: 'your-name', text: 'Your name (others see it; every tab of this browser is you)' }),
    input,
    problem ? h('p', { class: 'error', role: 'alert', text: problem }) : null,
    h('button', { type: 'submit', text: 'Join' }),
  );
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    if (input.value.trim()) done(input.value.trim());
  });
  root.append(form);
  input.focus();
}

/** Why this browser is not in the drill, and what to do about it; never an empty console. */
function refused(root: HTMLElement, sessionId: string, code: string, message: string, retry: () => void): void {
  const creds = loadCredentials(sessionId);
  // A name the server would not take: ask again, keeping the code.
  if ((code === 'name-taken' || code === 'bad-name' || code === 'missing-name') && creds.code) {
    askName(root, message, (name) => {
      saveCredentials(sessionId, { name });
      retry();
    });
    return;
  }
  // An identity the server no longer knows: fall back to the code this browser came in with, if any.
  if (code === 'unknown-participant' && creds.code) {
    forgetCredentials(sessionId, ['participantToken', 'name']);
    askName(root, 'This browser\'s place in the drill was lost; join again under a name.', (name) => {
      saveCredentials(sessionId, { name });
      retry();
    });
    return;
  }
  if (code === 'unknown-invite' || code === 'unauthorized' || code === 'invite-only') forgetCredentials(sessionId, ['code', 'invite']);
  const titles: Record<string, string> = {
    'no-credential': 'Open the link you were sent',
    removed: 'You were removed from this drill',
    'drill-archived': 'This drill has ended',
    'unknown-session': 'No such drill',
    'invite-only': 'This drill is invite-only',
  };
  root.replaceChildren(
    h(
      'main',
      { class: 'refused', role: 'alert' },
      h('h1', { text: titles[code] ?? 'You cannot join this drill' }),
      h('p', { text: message }),
      code === 'drill-archived' ? h('p', {}, h('a', { href: `#/debrief/${sessionId}`, text: 'Open the debrief' })) : null,
      h('p', { class: 'muted', text: code === 'no-credential' ? 'The facilitator shares a join link (or a named invite) for this drill.' : `(${code})` }),
      h('p', {}, h('a', { href: '#/', text: 'Back to the lobby' })),
    ),
  );
}

function start(root: HTMLElement, sessionId: string, onRefused: (code: string, message: string) => void): () => void {
  let model: ViewModel | null = null;
  const series = new SeriesStore();
  let selected: string | null = null;
  let dirty = false;
  let people: PeopleView | null = null;
  let notes: FacilitatorNotes | null = null;
  let drillPanel: DrillPanel | null = null;
  let placed = false;

  const status = h('p', { class: 'status-line', role: 'status' });
  const badge = h('span', { class: 'link connecting', text: 'connecting…' });
  const clockEl = h('span', { class: 'clock', 'aria-label': 'Simulated time' });
  const title = h('h1', { class: 'title', text: 'sevdrill' });
  const controls = h('div', { class: 'controls' });
  const header = h('header', { class: 'console-head' }, title, clockEl, badge, controls);

  const link = new DrillLink(sessionId, () => helloCredentials(sessionId), (m) => receive(m), (s) => showLink(s), onRefused);
  const ctx = viewContext(
    link,
    status,
    (id) => {
      selected = id;
      // A service's details share the room the open changes take: picking a service shows them again.
      if (layout.classList.contains('changes-open')) changing.show('actions');
      schedule();
    },
    () => selected,
  );
  const { regions, views } = buildPanes(['graph', 'charts', 'pager', 'incident', 'advice', 'assistant', 'actions', 'changes', 'details', 'timeline'], ctx);
  // The assistant shares the advice's cell, the changes the actions': the console still fits one screen.
  const asking = tabbed(regions, 'advice-cell', 'Advice and the assistant', ['advice', 'assistant'], 'advice');
  // While open, the changes also take the service details' cell: a change and its source side by side need the height.
  const layout = h('div', { class: 'console' });
  const changing = tabbed(regions, 'actions-cell', 'Actions and changes', ['actions', 'changes'], 'actions', (pane) => layout.classList.toggle('changes-open', pane === 'changes'));
  // A request waiting for a second person is a banner across the top, not a line in a scrolled pane.
  const banner = createApprovalBanner(ctx, () => {
    changing.show('changes');
    document.getElementById('tab-changes')?.focus();
  });
  // What to do now (waiting, paused, ended) and the briefing, under the header's line.
  const guidance = createGuidance(sessionId);
  header.append(guidance.element, banner.element);
  views.push(asking, changing, banner, guidance);
  const { graph, charts, pager, incident, details, timeline } = regions;
  layout.append(header, graph, charts, pager, incident, asking.element, changing.element, details, timeline, status);
  root.append(layout);

  function receive(m: ServerMessage): void {
    if (m.type === 'welcome') {
      // The identity the server issued replaces the code or invite: from now on this browser is this person.
      if (m.participant.token) {
        saveCredentials(sessionId, { participantToken: m.participant.token, name: m.participant.name });
        forgetCredentials(sessionId, ['code', 'invite']);
      }
      // On a resume the model we have is still right; otherwise start over from the snapshot.
      if (!m.resumed || !model) {
        model = modelFromWelcome(m);
        if (!m.resumed) link.resetSeq();
        title.textContent = m.scenario.title;
        setPageTitle(`${m.scenario.title} — sevdrill`);
        renderControls(m);
        // A drill with a change window opens on the assistant and the changes (once: later the choice is the person's).
        if (!placed && hasChangeWindow(model)) {
          asking.show('assistant');
          changing.show('changes');
        }
        placed = true;
      } else {
        model = { ...model, speed: m.speed, phase: m.snapshot.phase };
      }
    } else if (m.type === 'events' && model) {
      model = applyEvents(model, m.events);
      if (m.sample) {
        model = applySample(model, m.sample);
        series.add(m.sample);
      }
      model = { ...model, now: Math.max(model.now, m.now), ...(m.facilitator ? { facilitator: m.facilitator } : {}) };
    } else if (m.type === 'history') {
      series.load(m.history);
    } else if (m.type === 'roster') {
      people?.setRoster(m.participants);
    } else if (m.type === 'integrations') {
      drillPanel?.showIntegrations(m);
    } else if (m.type === 'clock' && model) {
      model = { ...model, phase: m.phase, speed: m.speed, now: m.now };
    } else if (m.type === 'error' && m.clientActionId === undefined) {
      ctx.notify(`${m.code}: ${m.message}`, 'error');
    }
    schedule();
  }

  function showLink(s: LinkState): void {
    badge.className = `link ${s}`;
    badge.textContent = s === 'open' ? 'live' : s === 'connecting' ? 'connecting…' : s === 'refused' ? 'not joined' : 'disconnected — reconnecting';
  }

  function renderControls(w: WelcomeMessage): void {
    controls.replaceChildren();
    if (w.role !== 'facilitator') {
      controls.append(h('span', { class: 'role', text: `${w.role}: ${w.participant.name} (${w.participant.id})` }));
      if (w.role === 'responder') controls.append(banner.soundToggle);
      return;
    }
    const button = (label: string, fn: () => void) => {
      const b = h('button', { type: 'button', text: label });
      b.addEventListener('click', fn);
      return b;
    };
    const act = (p: Promise<{ ok: boolean; message?: string }>, label: string) => void p.then((r) => ctx.notify(r.ok ? `${label}: done` : `${label}: ${r.message}`, r.ok ? 'ok' : 'error'));
    // The drill's own speed is among the choices and selected (the lobby allows any 0.5 step).
    const current = model?.speed ?? 1;
    const speeds = [...new Set([0.5, 1, 2, 5, 10, 30, 60, current])].sort((a, b) => a - b);
    const speed = h('select', { id: 'speed', 'aria-label': 'Speed' }, ...speeds.map((s) => h('option', { value: s, text: `${s}×`, selected: s === current })));
    speed.addEventListener('change', () => act(link.control('speed', { speed: Number(speed.value) }), 'Speed'));
    const scenario = model?.scenario;
    // Only the facilitator is sent the whole scenario, faults and all.
    const faults = scenario && 'faults' in scenario ? scenario.faults : [];
    const inject = h('select', { id: 'inject', 'aria-label': 'Fault to inject' }, ...faults.map((f) => h('option', { value: f.id, text: f.id })));
    people = createPeopleView({ sessionId, facilitatorToken: loadCredentials(sessionId).facilitatorToken ?? '', joinMode: w.joinMode, share: w.share, notify: ctx.notify });
    people.setRoster(w.roster ?? []);
    const share = h('details', { class: 'share' }, h('summary', { text: 'People & links' }), people.element);
    notes = createFacilitatorNotes();
    drillPanel = createDrillPanel((fault) => act(link.control('inject', { fault }), `Inject ${fault}`), { sessionId, endpoints: w.inbound });
    controls.append(
      button('Start', () => act(link.control('start'), 'Start')),
      button('Pause', () => act(link.control('pause'), 'Pause')),
      button('Resume', () => act(link.control('resume'), 'Resume')),
      speed,
      inject,
      button('Inject', () => act(link.control('inject', { fault: inject.value }), 'Inject')),
      button('End', () => act(link.control('end'), 'End')),
      drillPanel.element,
      notes.element,
      share,
    );
  }

  function schedule(): void {
    if (dirty) return;
    dirty = true;
    requestAnimationFrame(render);
  }

  function render(): void {
    dirty = false;
    if (!model) return;
    clockEl.textContent = `${formatClock(model.now)} · ${model.phase} · ${model.speed}×`;
    const speedSelect = controls.querySelector<HTMLSelectElement>('#speed');
    if (speedSelect && document.activeElement !== speedSelect && Number(speedSelect.value) !== model.speed) speedSelect.value = String(model.speed);
    const renderStart = performance.now();
    for (const v of views) v.update(model, series);
    notes?.update(model);
    drillPanel?.update(model);
    performance.clearMeasures(performance.measure('sevdrill:render', { start: renderStart }).name); // bench/ui.ts observes it; cleared so the buffer never grows
    // Paged and nobody has acknowledged: the tab says so, for whoever is looking at another tab.
    markTitle('paged', model.incident.state === 'detected' && !model.incident.acknowledged);
    // Once the drill has ended there is nothing left to control: only the links and panels stay.
    if (model.phase === 'ended') for (const c of controls.querySelectorAll<HTMLButtonElement | HTMLSelectElement>(':scope > button, :scope > select')) c.disabled = true;
  }

  const removeShortcuts = installShortcuts(root, { ...regions, banner: banner.element }, ctx.notify, () => {
    asking.show('assistant');
    return regions.assistant.querySelector<HTMLInputElement>('#ask-question');
  });
  return () => {
    removeShortcuts();
    link.close();
    clearTitle();
  };
}

/** The one credential a hello carries, strongest first: the facilitator, a known person, an invite, a code and name. */
function helloCredentials(sessionId: string): HelloCredentials {
  const c = loadCredentials(sessionId);
  const device = deviceId();
  if (c.facilitatorToken) return { token: c.facilitatorToken, device };
  if (c.participantToken) return { participantToken: c.participantToken, device };
  if (c.invite) return { invite: c.invite, device };
  return { code: c.code ?? '', name: c.name ?? '', device };
}
