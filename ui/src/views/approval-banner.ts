/**
 * Approvals that cannot be missed: a banner across the top of the console while a request waits for
 * a second person. Every other responder gets who asked, what the action does (the scenario's own
 * description) and Approve and Deny; the requester gets "waiting for approval by another responder"
 * and how long it has waited, never buttons of their own; observers and the facilitator see it
 * read-only. A change waiting for review is named too, with a way to the Changes tab where it is
 * reviewed beside its source. While something waits for this person the tab's title says so, and
 * (if they turned it on) a short beep sounds for each new request.
 *
 * The list is the console's one polite live region besides the pager: a new request is announced;
 * the ticking elapsed time is not (aria-relevant: additions).
 */
import { actionId } from '../../../engine/protocol/ids.ts';
import { isMine } from '../change-window.ts';
import { h } from '../dom.ts';
import { requestedByMe, type ViewModel } from '../model.ts';
import { nameOf, requestLabel } from '../names.ts';
import { minSec } from './cards.ts';
import { markTitle } from '../attention.ts';
import type { View, ViewContext } from './types.ts';

const SOUND_KEY = 'sevdrill:approval-sound';

export interface ApprovalBanner extends View {
  element: HTMLElement;
  /** The sound's on/off switch, for the console's header (responders only). */
  soundToggle: HTMLElement;
}

interface Item {
  key: string;
  /** Waits for this person: counts for the title and the beep. */
  forMe: boolean;
  build(): HTMLElement;
  /** The parts that change while it waits (items are made afresh from each model; elements are kept). */
  refresh(el: HTMLElement): void;
}

/** `openChanges`: shows the Changes tab, where a change is reviewed. */
export function createApprovalBanner(ctx: ViewContext, openChanges: () => void): ApprovalBanner {
  const list = h('ul', { class: 'banner-items', 'aria-live': 'polite', 'aria-relevant': 'additions' });
  const element = h('section', { class: 'approval-banner', 'aria-label': 'Waiting for approval', hidden: true }, list);
  const drawn = new Map<string, HTMLElement>();
  /** Requests already beeped for. */
  const heard = new Set<string>();

  let sound = localStorage.getItem(SOUND_KEY) === 'on';
  let audio: AudioContext | null = null;
  const soundBox = h('input', { type: 'checkbox', id: 'approval-sound', checked: sound });
  soundBox.addEventListener('change', () => {
    sound = soundBox.checked;
    localStorage.setItem(SOUND_KEY, sound ? 'on' : 'off');
    // Browsers start audio only from a gesture: this click is the one.
    if (sound) {
      audio ??= new AudioContext();
      void audio.resume();
    }
  });
  const soundToggle = h('label', { class: 'sound-toggle', for: 'approval-sound', title: 'A short beep when a request waits for your approval' }, soundBox, ' beep on approvals');

  function beep(): void {
    if (!sound || !audio) return;
    const osc = audio.createOscillator();
    const gain = audio.createGain();
    osc.frequency.value = 880;
    gain.gain.setValueAtTime(0.15, audio.currentTime);
    gain.gain.exponentialRampToValueAtTime(0.001, audio.currentTime + 0.25);
    osc.connect(gain).connect(audio.destination);
    osc.start();
    osc.stop(audio.currentTime + 0.25);
  }

  function decide(request: string, what: string, approve: boolean): void {
    const label = `${approve ? 'Approve' : 'Deny'} ${what}`;
    void ctx.link?.act(approve ? 'approve' : 'deny', undefined, { request }).then((r) => ctx.notify(r.ok ? `${label}: done` : `${label}: ${r.message ?? r.code}`, r.ok ? 'ok' : 'error'));
  }

  function itemsOf(m: ViewModel): Item[] {
    const responder = m.role === 'responder';
    const items: Item[] = [];
    for (const p of Object.values(m.approvals)) {
      const mine = requestedByMe(p, m);
      const def = m.scenario.actions.find((a) => actionId(a) === p.request);
      const named = `“${requestLabel(m, p.request)}”`;
      const what = `${named}${def?.description ? ` — ${def.description}` : ''}`;
      items.push({
        key: `approval:${p.request}`,
        forMe: responder && !mine,
        build() {
          const since = h('span', { class: 'banner-elapsed' });
          if (mine) {
            return h('li', { class: 'banner-item mine' }, h('strong', { text: 'Your request: ' }), `${what} · waiting for approval by another responder `, since);
          }
          if (!responder) return h('li', { class: 'banner-item' }, h('strong', { text: `${p.by} asks for approval: ` }), `${what} · waiting for a second responder `, since);
          const approve = h('button', { type: 'button', class: 'primary banner-approve', text: 'Approve', 'aria-label': `Approve ${named}`, 'aria-keyshortcuts': 'y' });
          approve.addEventListener('click', () => decide(p.request, named, true));
          const deny = h('button', { type: 'button', class: 'banner-deny', text: 'Deny', 'aria-label': `Deny ${named}` });
          deny.addEventListener('click', () => decide(p.request, named, false));
          return h('li', { class: 'banner-item for-me' }, h('strong', { text: `⚠ ${p.by} asks for your approval: ` }), `${what} · waiting `, since, ' ', approve, deny);
        },
        refresh(el) {
          const since = el.querySelector('.banner-elapsed');
          if (since) since.textContent = `(${minSec(m.now - p.t)})`;
          for (const b of el.querySelectorAll('button')) b.disabled = m.phase !== 'running';
        },
      });
    }
    for (const c of m.changes) {
      if (c.status !== 'pending') continue;
      const mine = isMine(c, m);
      items.push({
        key: `change:${c.key}`,
        forMe: responder && !mine,
        build() {
          const since = h('span', { class: 'banner-elapsed' });
          const what = `the change ${c.key} to ${nameOf(m, c.service)}`;
          if (mine) return h('li', { class: 'banner-item mine' }, h('strong', { text: 'Your change: ' }), `${what} · waiting for review by another responder `, since);
          const open = h('button', { type: 'button', class: 'banner-open-changes', text: 'Review in Changes' });
          open.addEventListener('click', openChanges);
          const who = responder ? `⚠ ${c.by} asks for your review: ` : `${c.by} asks for a review: `;
          return h('li', { class: `banner-item${responder ? ' for-me' : ''}` }, h('strong', { text: who }), `${what} · waiting `, since, ' ', open);
        },
        refresh(el) {
          const since = el.querySelector('.banner-elapsed');
          if (since) since.textContent = `(${minSec(m.now - c.t)})`;
        },
      });
    }
    return items;
  }

  return {
    element,
    soundToggle,
    update(m) {
      const items = itemsOf(m);
      const keys = new Set(items.map((i) => i.key));
      for (const [key, el] of drawn) {
        if (keys.has(key)) continue;
        el.remove();
        drawn.delete(key);
      }
      for (const item of items) {
        let el = drawn.get(item.key);
        if (!el) {
          el = item.build();
          drawn.set(item.key, el);
          list.append(el);
          if (item.forMe && !heard.has(item.key)) beep();
        }
        heard.add(item.key);
        item.refresh(el);
      }
      element.hidden = items.length === 0;
      // The tab says so while something waits for this person, and stops saying it after.
      markTitle('approval', items.some((i) => i.forMe));
    },
  };
}
