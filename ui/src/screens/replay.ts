/**
 * Replay: scrub through a drill as it happened. The server sends the log (as this reader may see it)
 * and every tick's telemetry re-derived from it; the screen folds the events up to the chosen moment
 * with the console's own pure `applyEvent`, and fills a SeriesStore with the samples up to it, so
 * every view draws exactly what the console drew at that moment. Nothing can be sent: ctx.link is null.
 */
import type { ReplayBundle, WelcomeMessage } from '../../../engine/protocol/messages.ts';
import { PROTOCOL_VERSION } from '../../../engine/protocol/messages.ts';
import { debriefCredential, loadCredentials, saveCredentials } from '../credentials.ts';
import { describe, namesOf } from '../../../engine/protocol/describe.ts';
import { formatClock } from '../../../engine/protocol/format.ts';
import { h } from '../dom.ts';
import { codePrompt } from '../views/code-prompt.ts';
import type { Route } from '../main.ts';
import { SeriesStore, applyEvent, applySample, modelFromWelcome, type ViewModel } from '../model.ts';
import { QUIET_EVENTS } from '../views/timeline.ts';
import type { View } from '../views/types.ts';
import { buildPanes, hasChangeWindow, tabbed, viewContext } from './panes.ts';

/** Playback speeds: simulated ms per wall ms. */
const SPEEDS = [1, 10, 30, 60, 120, 300, 600];
const DEFAULT_SPEED = 60;
/** A folded model is kept every this many events, so scrubbing back never folds from the start. */
const CHECKPOINT_EVERY = 256;

export function renderReplay(root: HTMLElement, route: Route): () => void {
  const sessionId = route.sessionId;
  const urlCode = route.params.get('code');
  if (urlCode) {
    saveCredentials(sessionId, { code: urlCode });
    history.replaceState(null, '', `#/replay/${sessionId}`);
  }
  const creds = loadCredentials(sessionId);
  const links = h('nav', { class: 'replay-nav' }, h('a', { href: `#/debrief/${sessionId}`, text: 'Debrief' }), ' · ', h('a', { href: '#/', text: 'Lobby' }));
  const message = h('p', { class: 'replay-message', role: 'status', text: 'Loading the replay…' });
  // Without a credential that opens it (a 401), ask for one: a participant's join code, or the facilitator token.
  const { form: ask, input: codeInput } = codePrompt(sessionId, 'replay-code', 'Open the replay', (code) => void load(code));
  root.append(h('main', { class: 'replay-loading' }, h('h1', { text: 'Replay' }), links, message, ask));

  let teardown: (() => void) | undefined;
  let closed = false;
  const failed = (text: string) => {
    message.textContent = text;
    message.className = 'replay-message error';
  };
  async function load(credential: string | undefined): Promise<void> {
    message.textContent = 'Loading the replay…';
    message.className = 'replay-message';
    try {
      const res = await fetch(`/api/sessions/${encodeURIComponent(sessionId)}/replay`, { headers: credential ? { authorization: `Bearer ${credential}` } : {} });
      const body = (await res.json()) as ReplayBundle & { message?: string };
      if (closed) return;
      if (!res.ok) {
        failed(`This replay cannot be opened: ${body.message ?? res.statusText}.`);
        ask.hidden = res.status !== 401;
        if (!ask.hidden) codeInput.focus();
        return;
      }
      root.replaceChildren();
      teardown = start(root, body);
    } catch (error) {
      if (!closed) failed(`The replay could not be loaded: ${error instanceof Error ? error.message : String(error)}.`);
    }
  }
  void load(urlCode ?? debriefCredential(creds));
  return () => {
    closed = true;
    teardown?.();
  };
}

/** How many items of a list sorted by t have t <= at. */
function countUpTo(items: readonly { t: number }[], at: number): number {
  let lo = 0;
  let hi = items.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((items[mid]?.t ?? Infinity) <= at) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The starting model: the bundle's t=0 state, read as a welcome. Read-only, whoever asked. */
function initialModel(b: ReplayBundle): ViewModel {
  const welcome: WelcomeMessage = {
    type: 'welcome',
    v: PROTOCOL_VERSION,
    sessionId: b.sessionId,
    // The views enable their buttons for responders only; nothing can be done in a replay.
    role: 'observer',
    name: 'replay',
    participant: { id: 'replay', name: 'replay' },
    joinMode: 'code',
    scenario: b.scenario,
    snapshot: b.snapshot,
    ...(b.facilitator ? { facilitator: b.facilitator } : {}),
    seq: -1,
    speed: 1,
    resumed: false,
  };
  return modelFromWelcome(welcome);
}

function start(root: HTMLElement, bundle: ReplayBundle): () => void {
  const { events, samples, sessionId } = bundle;
  const lastT = (items: readonly { t: number }[]) => items.at(-1)?.t ?? 0;
  const end = Math.max(0, lastT(events), lastT(samples));
  const initial = initialModel(bundle);

  // ── the fold: events up to the chosen moment, samples up to it ──
  let folded = initial;
  let foldedCount = 0;
  const checkpoints = new Map<number, ViewModel>([[0, initial]]);
  let series = new SeriesStore();
  let sampleCount = 0;
  let position = 0;
  let selected: string | null = null;

  function modelAt(t: number): ViewModel {
    const eventTarget = countUpTo(events, t);
    if (eventTarget < foldedCount) {
      // Back in time: from the nearest checkpoint at or before the target (models are never mutated).
      const from = Math.floor(eventTarget / CHECKPOINT_EVERY) * CHECKPOINT_EVERY;
      const saved = checkpoints.get(from);
      [folded, foldedCount] = saved ? [saved, from] : [initial, 0];
    }
    for (const e of events.slice(foldedCount, eventTarget)) {
      folded = applyEvent(folded, e);
      foldedCount++;
      if (foldedCount % CHECKPOINT_EVERY === 0) checkpoints.set(foldedCount, folded);
    }
    const sampleTarget = countUpTo(samples, t);
    if (sampleTarget < sampleCount) {
      // Back in time: a new store with the window that ends at the target.
      series = new SeriesStore();
      sampleCount = Math.max(0, sampleTarget - series.window);
    }
    for (const sample of samples.slice(sampleCount, sampleTarget)) series.add(sample);
    sampleCount = Math.max(sampleCount, sampleTarget);
    const sample = samples[sampleTarget - 1];
    const model = sample ? applySample(folded, sample) : folded;
    return { ...model, now: t };
  }

  // ── the screen ──
  const status = h('p', { class: 'status-line', role: 'status' });
  const clockEl = h('span', { class: 'clock', 'aria-label': 'Simulated time' });
  const phaseEl = h('span', { class: 'replay-phase' });
  const header = h(
    'header',
    { class: 'console-head' },
    h('h1', { class: 'title', text: `Replay · ${bundle.scenario.title}` }),
    clockEl,
    phaseEl,
    h('span', { class: 'role', text: `read-only · as ${bundle.role}` }),
    h('nav', { class: 'controls replay-nav' }, h('a', { href: `#/debrief/${sessionId}`, text: 'Debrief' }), ' · ', h('a', { href: '#/', text: 'Lobby' })),
  );

  const slider = h('input', { type: 'range', id: 'replay-time', min: 0, max: end, step: bundle.tickMs, value: 0 });
  const play = h('button', { type: 'button', class: 'primary replay-play', text: 'Play' });
  const speed = h('select', { id: 'replay-speed' }, ...SPEEDS.map((s) => h('option', { value: s, text: `${s}×`, selected: s === DEFAULT_SPEED })));
  const prev = h('button', { type: 'button', text: '◀ Previous event' });
  const next = h('button', { type: 'button', text: 'Next event ▶' });
  const endLabel = h('span', { class: 'replay-end', text: `/ ${formatClock(end)}` });
  const scrubber = h(
    'div',
    { class: 'scrubber', role: 'group', 'aria-label': 'Replay controls' },
    play,
    h('label', { for: 'replay-time', text: 'Simulated time' }),
    slider,
    endLabel,
    prev,
    next,
    h('label', { for: 'replay-speed', text: 'Speed' }),
    speed,
  );
  const ctx = viewContext(
    null,
    status,
    (id) => {
      selected = id;
      schedule();
    },
    () => selected,
  );
  const { regions, views } = buildPanes(['graph', 'charts', 'pager', 'incident', 'advice', 'assistant', 'changes', 'details', 'timeline'], ctx);
  // The assistant's answers and the changes, read-only, share the advice's cell.
  const advice = tabbed(regions, 'advice-cell', 'Advice, the assistant and changes', ['advice', 'assistant', 'changes'], hasChangeWindow(initial) ? 'changes' : 'advice');
  views.push(advice);
  const { graph, charts, pager, incident, details, timeline } = regions;
  root.append(h('div', { class: 'console replay' }, header, scrubber, graph, charts, pager, incident, advice.element, details, timeline, status));
  if (events.length === 0) ctx.notify('Nothing happened in this drill yet.');

  // ── rendering and playback ──
  let frame = 0;
  let playing = false;
  let lastWall = 0;
  const broken = new Set<View>();
  let drawn = '';

  function schedule(): void {
    if (frame === 0) frame = requestAnimationFrame(render);
  }

  function render(): void {
    frame = 0;
    const model = modelAt(position);
    clockEl.textContent = formatClock(position);
    slider.setAttribute('aria-valuetext', `${formatClock(position)} of ${formatClock(end)}`);
    // Playing at 1× moves a few ms a frame: redraw the views only when what they show has changed.
    const key = `${foldedCount}|${sampleCount}|${Math.floor(position / 1000)}|${selected}`;
    if (key === drawn) return;
    drawn = key;
    phaseEl.textContent = model.phase;
    for (const v of views) {
      // One view that fails to draw must not blank the others (nor stop the scrubber).
      try {
        v.update(model, series);
      } catch (error) {
        if (!broken.has(v)) console.error('a replay view failed to draw', error);
        broken.add(v);
      }
    }
  }

  function seek(t: number): void {
    position = Math.min(end, Math.max(0, t));
    slider.value = String(position);
    schedule();
  }

  function setPlaying(on: boolean): void {
    playing = on && position < end;
    play.textContent = playing ? 'Pause' : 'Play';
    if (playing) {
      lastWall = performance.now();
      requestAnimationFrame(step);
    }
  }

  function step(wall: number): void {
    if (!playing) return;
    const dt = Math.max(0, wall - lastWall);
    lastWall = wall;
    seek(position + dt * Number(speed.value));
    if (position >= end) setPlaying(false);
    else requestAnimationFrame(step);
  }

  // The previous/next buttons skip what the timeline hides.
  const names = namesOf(bundle.scenario);
  const notable = events.filter((e) => !QUIET_EVENTS.has(e.type));
  function jump(forward: boolean): void {
    const target = forward ? notable.find((e) => e.t > position) : [...notable].reverse().find((e) => e.t < position);
    if (!target) {
      ctx.notify(forward ? 'No later event.' : 'No earlier event.');
      return;
    }
    seek(target.t);
    ctx.notify(`${formatClock(target.t)} — ${describe(target, names)}`);
  }

  slider.addEventListener('input', () => {
    ctx.notify('');
    seek(Number(slider.value));
  });
  play.addEventListener('click', () => {
    if (!playing && position >= end) seek(0);
    setPlaying(!playing);
  });
  // The timeline's filters redraw on the next update; a paused replay has none coming, so ask for one.
  regions.timeline.addEventListener('change', () => {
    drawn = '';
    schedule();
  });
  prev.addEventListener('click', () => jump(false));
  next.addEventListener('click', () => jump(true));

  seek(0);
  return () => {
    playing = false;
    if (frame !== 0) cancelAnimationFrame(frame);
  };
}
