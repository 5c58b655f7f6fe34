/**
 * "Ask the assistant": a question box for responders (Enter sends), and every answer, newest first,
 * each marked unverified with its citation. "Open source" and "History" check the cited page (the
 * text and history show under the answer, for whoever asked for them); "Propose this change" puts
 * the change the page describes up for review.
 */
import { formatClock } from '../../../engine/protocol/format.ts';
import { statusLabel, type AnswerView } from '../change-window.ts';
import { h } from '../dom.ts';
import type { ViewModel } from '../model.ts';
import { nameOf } from '../names.ts';
import { keyedCards, setText, type Card } from './cards.ts';
import { pageChecks } from './page-read.ts';
import type { View, ViewContext } from './types.ts';

const canAct = (m: ViewModel) => m.role === 'responder' && m.phase === 'running';

export function createAssistantView(root: HTMLElement, ctx: ViewContext): View {
  const question = h('input', {
    type: 'text',
    id: 'ask-question',
    maxlength: 500,
    autocomplete: 'off',
    'aria-label': 'Question for the assistant',
    placeholder: 'Ask the AI assistant…',
  });
  const service = h('select', { id: 'ask-service', 'aria-label': 'About which service' }, h('option', { value: '', text: 'any service' }));
  const send = h('button', { type: 'submit', class: 'primary', text: 'Ask' });
  const form = h('form', { class: 'ask-form', 'aria-label': 'Ask the assistant a question' }, question, service, send);
  const note = h('p', { class: 'muted ask-note', hidden: true });
  const list = h('ol', { class: 'answers', 'aria-label': 'Answers' });
  const empty = h('p', { class: 'muted', text: 'No questions yet. Answers come from the internal wiki, which may be out of date: check the source.' });
  root.append(h('h2', { text: 'Ask the assistant' }), form, note, empty, list);

  let model: ViewModel | null = null;
  let sending = false;
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const text = question.value.trim();
    if (!text || sending || !model || !canAct(model)) return;
    sending = true;
    send.disabled = true;
    void ctx.link?.act('ask', undefined, { question: text, ...(service.value ? { service: service.value } : {}) }).then((r) => {
      sending = false;
      if (model) send.disabled = !canAct(model);
      if (r.ok) question.value = '';
      ctx.notify(r.ok ? 'Asked the assistant' : `Ask: ${r.message ?? r.code}`, r.ok ? 'ok' : 'error');
    });
  });

  /**
   * Which answer shows a page's text and history: the one whose buttons asked for it last. A page read
   * from a change's card shows there, beside the change, not here as well.
   */
  const shownUnder = new Map<string, number>();
  const draw = keyedCards<AnswerView>(list, (a) => String(a.ask), (a) => answerCard(a, () => a.page !== null && shownUnder.set(a.page, a.ask)));

  let servicesFor: ViewModel['scenario'] | null = null;
  return {
    update(m) {
      model = m;
      if (servicesFor !== m.scenario) {
        servicesFor = m.scenario;
        service.replaceChildren(h('option', { value: '', text: 'any service' }), ...m.scenario.services.map((s) => h('option', { value: s.id, text: s.name ?? s.id })));
      }
      const can = canAct(m);
      question.disabled = !can;
      service.disabled = !can;
      send.disabled = !can || sending;
      form.hidden = m.role !== 'responder';
      note.hidden = m.role === 'responder';
      setText(note, 'Responders ask the assistant here; everyone sees its answers.');
      empty.hidden = m.answers.length > 0;
      // Newest first: the latest answer is always in view.
      draw([...m.answers].reverse());
    },
  };

  function answerCard(a: AnswerView, checked: () => void): Card<AnswerView> {
    const head = h(
      'p',
      { class: 'answer-head', title: `Asked at ${formatClock(a.t)}` },
      h('span', { class: 'badge unverified', text: 'unverified' }),
      ' ',
      h('strong', { text: a.by }),
      ' asked: ',
      h('q', { class: 'answer-question', text: a.question }),
    );
    // Long answers show their first lines until asked for the rest: the newest answer stays in view whole.
    const text = h('p', { class: 'answer-text clamped', text: a.text });
    const more = a.text.length > 120 ? h('button', { type: 'button', class: 'link-button more', text: 'whole answer', 'aria-expanded': 'false' }) : null;
    more?.addEventListener('click', () => {
      const clamped = text.classList.toggle('clamped');
      more.textContent = clamped ? 'whole answer' : 'less';
      more.setAttribute('aria-expanded', String(!clamped));
    });
    const cite =
      a.page === null
        ? h('p', { class: 'citation none' }, 'No source: nothing in the wiki matched. ', more)
        : h('p', { class: 'citation' }, 'Source: ', h('cite', { text: a.title ?? a.page }), `, last edited ${a.edited ?? '?'}`, more ? ' · ' : null, more);
    const checks = a.page === null ? null : pageChecks(ctx, a.page, `the answer to ${a.by}`, checked);
    const propose = a.change ? h('button', { type: 'button', class: 'primary', text: 'Propose this change' }) : null;
    propose?.addEventListener('click', () => {
      if (!a.change) return;
      void ctx.link?.act('propose-change', undefined, { change: a.change.id, ...(a.page !== null ? { page: a.page } : {}) }).then((r) => {
        ctx.notify(r.ok ? `Proposed ${a.change?.id}: it is in Changes` : `Propose: ${r.message ?? r.code}`, r.ok ? 'ok' : 'error');
      });
    });
    const target = a.proposes ? h('button', { type: 'button', text: `Show ${model ? nameOf(model, a.proposes.target) : a.proposes.target}` }) : null;
    target?.addEventListener('click', () => ctx.select(a.proposes?.target ?? ''));
    const element = h('li', { class: 'answer' }, head, text, cite, h('div', { class: 'answer-actions' }, checks?.buttons ?? null, propose, target), checks?.shown ?? null);
    const refresh = () => {
      const m = model;
      if (!m) return;
      const can = canAct(m);
      checks?.update(a.page !== null && shownUnder.get(a.page) === a.ask ? m.reads[a.page] : undefined, can);
      if (propose && a.change) {
        const change = m.changes.find((c) => c.change === a.change?.id);
        setText(propose, change ? `Proposed: ${statusLabel(change)}` : 'Propose this change');
        propose.disabled = !can || change !== undefined;
      }
    };
    return { element, update: refresh };
  }
}
