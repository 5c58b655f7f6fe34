/**
 * The drill console: one screen, no scrolling at 1440×900. It folds the server's events into the
 * view-model and redraws at most once per animation frame.
 */
import type { ServerMessage } from '../../../engine/protocol.ts';
import { DrillLink, type LinkState } from '../connection.ts';
import { loadCredentials, saveCredentials } from '../credentials.ts';
import { clock, h } from '../dom.ts';
import { installShortcuts } from '../keys.ts';
import type { Route } from '../main.ts';
import { SeriesStore, applyEvents, applySample, modelFromWelcome, type ViewModel } from '../model.ts';
import { buildPanes, viewContext } from './panes.ts';

export function renderConsole(root: HTMLElement, route: Route): () => void {
  const stored = saveCredentials(route.sessionId, {
    ...(route.params.get('token') ? { token: route.params.get('token') as string } : {}),
    ...(route.params.get('code') ? { code: route.params.get('code') as string } : {}),
  });
  if (route.params.has('token') || route.params.has('code')) history.replaceState(null, '', `#/${route.screen}/${route.sessionId}`);
  let teardown: (() => void) | undefined;
  if (!stored.token && !stored.name) {
    askName(root, (name) => {
      saveCredentials(route.sessionId, { name });
      root.replaceChildren();
      teardown = start(root, route.sessionId);
    });
    return () => teardown?.();
  }
  teardown = start(root, route.sessionId);
  return () => teardown?.();
}

function askName(root: HTMLElement, done: (name: string) => void): void {
  const input = h('input', { id: 'your-name', required: true, maxlength: 64, autocomplete: 'name' });
  const form = h('form', { class: 'ask-name' }, h('h1', { text: 'Join the drill' }), h('label', { for: 'your-name', text: 'Your name (others see it; approvals need a different name)' }), input, h('button', { type: 'submit', text: 'Join' }));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    if (input.value.trim()) done(input.value.trim());
  });
  root.append(form);
  input.focus();
}

function start(root: HTMLElement, sessionId: string): () => void {
  const creds = loadCredentials(sessionId);
  let model: ViewModel | null = null;
  const series = new SeriesStore();
  let selected: string | null = null;
  let dirty = false;

  const status = h('p', { class: 'status-line', role: 'status' });
  const badge = h('span', { class: 'link connecting', text: 'connecting…' });
  const clockEl = h('span', { class: 'clock', 'aria-label': 'Simulated time' });
  const title = h('h1', { class: 'title', text: 'sevdrill' });
  const controls = h('div', { class: 'controls' });
  const header = h('header', { class: 'console-head' }, title, clockEl, badge, controls);

  const link = new DrillLink(
    { sessionId, name: creds.name ?? 'facilitator', ...(creds.token ? { token: creds.token } : { code: creds.code ?? '' }) },
    (m) => receive(m),
    (s) => showLink(s),
  );
  const ctx = viewContext(
    link,
    status,
    (id) => {
      selected = id;
      schedule();
    },
    () => selected,
  );
  const { regions, views } = buildPanes(['graph', 'charts', 'pager', 'incident', 'advice', 'actions', 'details', 'timeline'], ctx);
  root.append(h('div', { class: 'console' }, header, ...Object.values<HTMLElement>(regions), status));

  function receive(m: ServerMessage): void {
    if (m.type === 'welcome') {
      // On a resume the model we have is still right; otherwise start over from the snapshot.
      if (!m.resumed || !model) {
        model = modelFromWelcome(m);
        if (!m.resumed) link.resetSeq();
        title.textContent = m.scenario.title;
        renderControls(m.role);
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
    } else if (m.type === 'clock' && model) {
      model = { ...model, phase: m.phase, speed: m.speed, now: m.now };
    } else if (m.type === 'error' && m.clientActionId === undefined) {
      ctx.notify(`${m.code}: ${m.message}`, 'error');
    }
    schedule();
  }

  function showLink(s: LinkState): void {
    badge.className = `link ${s}`;
    badge.textContent = s === 'open' ? 'live' : s === 'connecting' ? 'connecting…' : 'disconnected — reconnecting';
  }

  function renderControls(role: string): void {
    controls.replaceChildren();
    if (role !== 'facilitator') {
      controls.append(h('span', { class: 'role', text: `${role}: ${creds.name ?? ''}` }));
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
    const faults = (model?.scenario as { faults?: { id: string }[] }).faults ?? [];
    const inject = h('select', { id: 'inject', 'aria-label': 'Fault to inject' }, ...faults.map((f) => h('option', { value: f.id, text: f.id })));
    const share = h('details', { class: 'share' }, h('summary', { text: 'Share links' }));
    for (const [who, code] of [['responders', creds.responderCode], ['observers', creds.observerCode]] as const) {
      if (code) share.append(h('p', { text: `${who}: ${location.origin}/#/join/${sessionId}?code=${code}` }));
    }
    controls.append(
      button('Start', () => act(link.control('start'), 'Start')),
      button('Pause', () => act(link.control('pause'), 'Pause')),
      button('Resume', () => act(link.control('resume'), 'Resume')),
      speed,
      inject,
      button('Inject', () => act(link.control('inject', { fault: inject.value }), 'Inject')),
      button('End', () => act(link.control('end'), 'End')),
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
    clockEl.textContent = `${clock(model.now)} · ${model.phase} · ${model.speed}×`;
    const speedSelect = controls.querySelector<HTMLSelectElement>('#speed');
    if (speedSelect && document.activeElement !== speedSelect && Number(speedSelect.value) !== model.speed) speedSelect.value = String(model.speed);
    const renderStart = performance.now();
    for (const v of views) v.update(model, series);
    performance.clearMeasures(performance.measure('sevdrill:render', { start: renderStart }).name); // bench/ui.ts observes it; cleared so the buffer never grows
    if (model.phase === 'ended' && !root.querySelector('.debrief-link')) {
      root.querySelector('.console-head')?.append(h('a', { class: 'debrief-link', href: `#/debrief/${sessionId}`, text: 'Open the debrief' }));
    }
  }

  const removeShortcuts = installShortcuts(root, regions, ctx.notify);
  return () => {
    removeShortcuts();
    link.close();
  };
}
