/**
 * "Changes": the change window's task with its countdown, and every change, newest first: proposed,
 * approved, denied, deployed (with or without review), and plain deploys nobody proposed. Each card
 * puts the change beside its cited source, so a reviewer can open the page (or its history) and read
 * it next to the summary before deciding. Controlled friction needs a second person: the proposer
 * gets no Approve or Deny, only how long the change has waited (the server refuses a self-review).
 */
import { formatClock } from '../../../engine/protocol/format.ts';
import { isMine, statusLabel, type ChangeView } from '../change-window.ts';
import { h } from '../dom.ts';
import type { ViewModel } from '../model.ts';
import { nameOf } from '../names.ts';
import { keyedCards, minSec, setText, type Card } from './cards.ts';
import { pageChecks } from './page-read.ts';
import type { View, ViewContext } from './types.ts';

const canAct = (m: ViewModel) => m.role === 'responder' && m.phase === 'running';

/** The title and edit date of a page, from what answers and reads named, or the facilitator's wiki. */
function pageName(m: ViewModel, page: string): string {
  const known = m.pages[page] ?? m.facilitator?.wiki.find((p) => p.page === page);
  return known ? `${known.title}, last edited ${known.edited}` : page;
}

export function createChangesView(root: HTMLElement, ctx: ViewContext): View {
  const taskTitle = h('p', { class: 'task-title' });
  const taskText = h('p', { class: 'task-text' });
  const taskDue = h('p', { class: 'task-due' });
  const task = h('div', { class: 'task', role: 'group', 'aria-label': 'Task' }, h('div', { class: 'task-line' }, taskTitle, taskDue), taskText);
  const friction = h('p', { class: 'friction muted' });
  const list = h('ol', { class: 'changes', 'aria-label': 'Changes' });
  const empty = h('p', { class: 'muted', text: 'No change proposed or deployed yet.' });
  root.append(h('h2', { text: 'Changes' }), task, friction, empty, list);

  let model: ViewModel | null = null;
  const draw = keyedCards<ChangeView>(list, (c) => c.key, (c) => changeCard(c));

  return {
    update(m) {
      model = m;
      // The facilitator's whole scenario leaves it out when there is none; the public one says null.
      const t = m.scenario.task ?? null;
      task.hidden = t === null;
      if (t) {
        setText(taskTitle, `Task: ${t.title}`);
        setText(taskText, t.text.replace(/\s+/g, ' ').trim());
        const pushed = m.taskDue?.pushed ? `; ${m.taskDue.by} pushed ${m.taskDue.pushed} alone` : '';
        setText(taskDue, m.now < t.deadline && !m.taskDue ? `due at ${formatClock(t.deadline)}, in ${minSec(t.deadline - m.now)}` : `due at ${formatClock(t.deadline)}: passed${pushed}`);
        taskDue.classList.toggle('soon', !m.taskDue && t.deadline - m.now <= 5 * 60_000);
      }
      setText(
        friction,
        m.scenario.controlledFriction === 'on'
          ? 'Controlled friction on: changes to critical services wait for another responder\'s review.'
          : 'Controlled friction off: changes deploy at once, without review.',
      );
      empty.hidden = m.changes.length > 0;
      draw([...m.changes].reverse());
    },
  };

  function changeCard(c: ChangeView): Card<ChangeView> {
    const chip = h('span', { class: 'chip' });
    const head = h('p', { class: 'change-head' }, chip, ' ', h('strong', { text: model ? nameOf(model, c.service) : c.service }), c.change !== null ? h('span', { class: 'muted', text: ` · ${c.change}` }) : null);
    const summary = h('p', { class: 'change-summary' }, h('code', { text: c.summary }));
    const meta = h('p', { class: 'change-meta' });
    const note = h('p', { class: 'change-note' });
    const outcome = h('p', { class: 'change-outcome' });
    const waiting = h('p', { class: 'waiting' });
    const reason = h('input', { type: 'text', maxlength: 500, class: 'review-reason', 'aria-label': `Reason for your review of ${c.key}`, placeholder: 'reason (optional; everyone sees it)' });
    const review = (verdict: 'approve' | 'deny') => {
      const label = `${verdict === 'approve' ? 'Approve' : 'Deny'} ${c.key}`;
      void ctx.link?.act('review-change', undefined, { change: c.key, verdict, ...(reason.value.trim() ? { reason: reason.value.trim() } : {}) }).then((r) => {
        if (r.ok) reason.value = '';
        ctx.notify(r.ok ? `${label}: done` : `${label}: ${r.message ?? r.code}`, r.ok ? 'ok' : 'error');
      });
    };
    const approve = h('button', { type: 'button', class: 'primary', text: 'Approve', 'aria-label': `Approve change ${c.key}` });
    approve.addEventListener('click', () => review('approve'));
    const deny = h('button', { type: 'button', text: 'Deny', 'aria-label': `Deny change ${c.key}` });
    deny.addEventListener('click', () => review('deny'));
    const controls = h('div', { class: 'review' }, reason, approve, deny);
    const main = h('div', { class: 'change-main' }, head, summary, meta, note, outcome, waiting, controls);

    const cites = h('p', { class: 'citation' });
    const checks = c.page !== null ? pageChecks(ctx, c.page, `change ${c.key}`) : null;
    const source = h('div', { class: 'change-source', role: 'group', 'aria-label': `Source of ${c.key}` }, cites, checks?.buttons ?? null, checks?.shown ?? null);
    const element = h('li', { class: 'change-card' }, main, c.change !== null ? source : null);

    return {
      element,
      update(c) {
        const m = model;
        if (!m) return;
        element.className = `change-card ${c.status}${c.change === null ? ' plain' : ''}`;
        setText(chip, statusLabel(c));
        chip.className = `chip ${c.status}`;
        const pushedAlone = m.taskDue?.pushed === c.change && c.by === m.taskDue?.by;
        setText(meta, c.change === null ? `deployed by ${c.by} at ${formatClock(c.t)}` : pushedAlone ? `pushed by ${c.by} at the deadline (${formatClock(c.t)})` : `proposed by ${c.by} at ${formatClock(c.t)}`);
        setText(note, c.note !== null ? `Note: “${c.note}”` : '');
        note.hidden = c.note === null;
        const reviewed = c.reviewedBy !== null ? `${c.status === 'denied' ? 'denied' : 'approved'} by ${c.reviewedBy}${c.reason !== null ? `: “${c.reason}”` : ''}` : '';
        const deployedAt = c.deployedAt !== null && c.change !== null ? `deployed at ${formatClock(c.deployedAt)}${c.bypassed ? ' (bypassing review)' : ''}` : '';
        setText(outcome, [reviewed, deployedAt].filter((s) => s !== '').join(' · '));
        outcome.hidden = outcome.textContent === '';

        const pending = c.status === 'pending';
        const mine = isMine(c, m);
        const elapsed = minSec(m.now - c.t);
        setText(waiting, !pending ? '' : mine ? `waiting for review by another responder (elapsed ${elapsed})` : `waiting for review (elapsed ${elapsed})`);
        waiting.hidden = !pending;
        // The proposer is never offered a review of their own change; observers and the facilitator only watch.
        controls.hidden = !pending || mine || m.role !== 'responder';
        const can = canAct(m);
        approve.disabled = !can;
        deny.disabled = !can;
        reason.disabled = !can;

        setText(cites, c.page !== null ? `Cites: ${pageName(m, c.page)}` : 'Cites no source.');
        checks?.update(c.page !== null ? m.reads[c.page] : undefined, can);
      },
    };
  }
}
