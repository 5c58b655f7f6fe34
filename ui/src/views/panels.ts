/**
 * The console's side panels, each re-rendered from the model with d3 joins keyed by id so that
 * focus and scroll survive updates: pager, incident, advice, actions, service details.
 */
import { statusDue } from '../status-due.ts';
import { select } from 'd3';
import { formatClock, formatCount, formatMoney } from '../../../engine/protocol/format.ts';
import { actionId } from '../../../engine/protocol/ids.ts';
import { h, percent } from '../dom.ts';
import { requestedByMe, type AlertView, type SeriesStore, type ViewModel } from '../model.ts';
import { actionLabel, nameOf, requestLabel } from '../names.ts';
import type { View, ViewContext } from './types.ts';

async function run(ctx: ViewContext, label: string, p: Promise<{ ok: boolean; code?: string; message?: string }> | undefined, done = 'done'): Promise<void> {
  if (!p) return;
  const r = await p;
  ctx.notify(r.ok ? `${label}: ${done}` : `${label}: ${r.message ?? r.code}`, r.ok ? 'ok' : 'error');
}

const canAct = (m: ViewModel) => m.role === 'responder' && m.phase === 'running';

export function createPagerView(root: HTMLElement, ctx: ViewContext): View {
  const heading = h('h2', { text: 'Pager' });
  const ack = h('button', { type: 'button', class: 'primary', text: 'Acknowledge page' });
  ack.addEventListener('click', () => void run(ctx, 'Acknowledge', ctx.link?.act('ack')));
  // One of the console's two live regions (with the approval banner): a new page is announced, a
  // re-rendered alert is not. Timeline and charts stay silent; they change every tick.
  const list = h('ul', { class: 'alerts', 'aria-label': 'Alerts', 'aria-live': 'polite', 'aria-relevant': 'additions' });
  root.append(heading, ack, list);
  return {
    update(m) {
      ack.disabled = !canAct(m) || m.incident.state === 'idle' || m.incident.acknowledged;
      const alerts = Object.values(m.alerts).sort((a, b) => Number(b.firing) - Number(a.firing) || b.since - a.since);
      select(list)
        .selectAll<HTMLLIElement, AlertView>('li')
        .data(alerts, (a) => a.id)
        .join('li')
        .attr('class', (a) => `alert ${a.firing ? 'firing' : 'resolved'} ${a.severity}`)
        .text((a) => `${a.firing ? '● FIRING' : '○ resolved'} · ${a.severity} · ${a.name} (${nameOf(m, a.target)}) since ${formatClock(a.since)}`);
    },
  };
}

export function createIncidentView(root: HTMLElement, ctx: ViewContext): View {
  const state = h('p', { class: 'incident-state' });
  const severity = h('select', { id: 'severity', 'aria-label': 'Severity' }, ...[1, 2, 3, 4].map((s) => h('option', { value: s, text: `Sev ${s}` })));
  const declare = h('button', { type: 'button', class: 'primary', text: 'Declare / change severity' });
  declare.addEventListener('click', () => void run(ctx, 'Declare', ctx.link?.act('declare', undefined, { severity: Number(severity.value) })));
  const roles = h('div', { class: 'roles' });
  const roleButtons = (['ic', 'comms', 'ops'] as const).map((role) => {
    const b = h('button', { type: 'button', text: `Take ${role.toUpperCase()}` });
    b.addEventListener('click', () => void run(ctx, `Take ${role}`, ctx.link?.act('assign-role', undefined, { role })));
    return b;
  });
  const message = h('textarea', { id: 'status-message', rows: 2, maxlength: 2000, 'aria-label': 'Status update' });
  const post = h('button', { type: 'button', text: 'Post status update' });
  // Ctrl+Enter (⌘+Enter) posts from the box itself: no reaching for the mouse mid-incident.
  message.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
      e.preventDefault();
      post.click();
    }
  });
  post.addEventListener('click', () => {
    if (!message.value.trim()) return;
    void run(ctx, 'Status update', ctx.link?.act('status-update', undefined, { message: message.value.trim() })).then(() => (message.value = ''));
  });
  const since = h('p', { class: 'since' });
  const resolve = h('button', { type: 'button', class: 'push-right', text: 'Resolve incident' });
  resolve.addEventListener('click', () => void run(ctx, 'Resolve', ctx.link?.act('resolve')));
  // Posting and resolving share the last row: the whole panel fits its cell at 1024×768 and 1280×720.
  root.append(h('h2', { text: 'Incident' }), state, h('div', { class: 'row' }, severity, declare), roles, h('div', { class: 'row' }, ...roleButtons), h('label', { for: 'status-message', class: 'visually-hidden', text: 'Status update' }), since, message, h('div', { class: 'row' }, post, resolve));
  return {
    update(m) {
      const sev = m.incident.severity;
      state.textContent = `${m.incident.state}${sev ? ` · Sev ${sev}` : ''} · lost ${formatMoney(m.totals.lost)} · ${formatCount(m.totals.failed)} failed requests`;
      state.className = `incident-state ${m.incident.state}`;
      roles.textContent = `IC: ${m.incident.roles.ic ?? '—'} · comms: ${m.incident.roles.comms ?? '—'} · ops: ${m.incident.roles.ops ?? '—'}`;
      const due = statusDue(m);
      since.textContent = due.text;
      since.classList.toggle('overdue', due.overdue);
      for (const b of [declare, post, resolve, ...roleButtons]) b.disabled = !canAct(m);
      severity.disabled = !canAct(m);
    },
  };
}

export function createAdviceView(root: HTMLElement, ctx: ViewContext): View {
  const list = h('ol', { class: 'advice', 'aria-label': 'Advice feed' });
  root.append(h('h2', { text: 'Advice (unverified)' }), list);
  return {
    update(m) {
      select(list)
        .selectAll<HTMLLIElement, ViewModel['advice'][number]>('li')
        .data([...m.advice].reverse(), (a) => a.id)
        .join((enter) =>
          enter.append('li').each(function (a) {
            const proposal = a.proposes ? `Proposes: ${actionLabel(m, a.proposes)}` : '';
            this.append(
              h('p', { class: 'advice-head' }, h('span', { class: 'badge unverified', text: 'unverified' }), ` ${a.source} · ${formatClock(a.t)} · ${a.title ?? ''}`),
              h('p', { class: 'advice-text', text: a.text }),
              h('p', { class: 'advice-proposal', text: proposal }),
            );
            if (a.proposes) {
              const b = h('button', { type: 'button', class: 'select-target', text: `Show ${nameOf(m, a.proposes.target)}` });
              b.addEventListener('click', () => ctx.select(a.proposes?.target ?? ''));
              this.append(b);
            }
          }),
        );
    },
  };
}

export function createActionsView(root: HTMLElement, ctx: ViewContext): View {
  const list = h('div', { class: 'actions' });
  const approvals = h('div', { class: 'approvals' });
  root.append(h('h2', { text: 'Actions' }), approvals, list);
  let lastKey = '';
  return {
    update(m) {
      const selected = ctx.selected();
      const defs = m.scenario.actions.filter((a) => selected === null || a.target === selected);
      const progress = Object.values(m.running).map((r) => r.progress?.done ?? 0);
      const key = `${selected}|${m.phase}|${m.role}|${Object.keys(m.running).join()}|${progress.join()}|${Object.keys(m.approvals).join()}|${Object.keys(m.inForce).join()}`;
      if (key === lastKey) return;
      lastKey = key;
      approvals.replaceChildren(
        ...Object.values(m.approvals).map((p) => {
          // Controlled friction: a second person decides. The server enforces it by participant id;
          // the requester is offered no buttons that would be refused, only what they wait for.
          if (requestedByMe(p, m)) {
            return h('p', { class: 'approval mine' }, `Your request: ${requestLabel(m, p.request)} (${formatClock(p.t)}) `, h('span', { class: 'muted', text: '· waiting for approval by another responder' }));
          }
          const what = `“${requestLabel(m, p.request)}”`;
          const approve = h('button', { type: 'button', class: 'primary', text: 'Approve', 'aria-label': `Approve ${what}`, disabled: !canAct(m) });
          approve.addEventListener('click', () => void run(ctx, `Approve ${what}`, ctx.link?.act('approve', undefined, { request: p.request })));
          const deny = h('button', { type: 'button', text: 'Deny', 'aria-label': `Deny ${what}`, disabled: !canAct(m) });
          deny.addEventListener('click', () => void run(ctx, `Deny ${what}`, ctx.link?.act('deny', undefined, { request: p.request })));
          return h('p', { class: 'approval' }, `${p.by} requests ${what} (${formatClock(p.t)}) `, approve, deny);
        }),
      );
      list.replaceChildren(
        ...defs.map((a) => {
          const id = actionId(a);
          const running = m.running[id];
          const busy = running !== undefined;
          const progress = running?.progress ? ` ${running.progress.done}/${running.progress.of} instances` : '';
          // A call-level action names its dependency: two retry-policies on one service are two buttons.
          const label = actionLabel(m, a);
          const b = h('button', { type: 'button', disabled: !canAct(m) || busy || m.approvals[id] !== undefined, text: label });
          // Under controlled friction the request only waits for a second person: the status line says so, not "done".
          const held = a.approval === true && m.scenario.controlledFriction !== 'off';
          b.addEventListener('click', () => void run(ctx, label, ctx.link?.act(a.type, a.target, a.id !== undefined ? { action: a.id } : undefined), held ? 'requested; waiting for approval by another responder' : 'done'));
          const extra = m.inForce[id] !== undefined ? h('button', { type: 'button', disabled: !canAct(m), text: 'Revert' }) : null;
          extra?.addEventListener('click', () => void run(ctx, `Revert “${label}”`, ctx.link?.act('revert', undefined, { action: id })));
          const dur = `${Math.round(a.duration / 1000)} s`;
          return h('p', { class: 'action' }, b, ` ${dur}${a.approval ? ' · needs approval' : ''}${busy ? ` · running${progress}` : ''} `, extra, a.description ? h('span', { class: 'action-description', text: a.description }) : null);
        }),
      );
    },
  };
}

export function createDetailsView(root: HTMLElement, ctx: ViewContext): View {
  const title = h('h2', { text: 'Service' });
  const metrics = h('p', { class: 'metrics' });
  const diagnose = h('button', { type: 'button', text: 'Diagnose (read logs)' });
  let model: ViewModel | null = null;
  diagnose.addEventListener('click', () => {
    const id = ctx.selected();
    if (id) void run(ctx, `Diagnose ${model ? nameOf(model, id) : id}`, ctx.link?.act('diagnose', id));
  });
  const logs = h('pre', { class: 'logs', 'aria-label': 'Log lines' });
  root.append(title, metrics, diagnose, logs);
  return {
    update(m: ViewModel, _series: SeriesStore) {
      model = m;
      const id = ctx.selected();
      const s = id ? m.services[id] : undefined;
      title.textContent = s ? `${s.name} (${s.tier})` : 'Select a service';
      metrics.textContent = s
        ? `${s.state} · ${Math.round(s.metrics.rps)} rps · ${percent(s.metrics.errorRate)} errors · p50 ${Math.round(s.metrics.p50Ms)} ms · p99 ${Math.round(s.metrics.p99Ms)} ms · ${percent(s.metrics.saturation)} saturated`
        : '';
      diagnose.disabled = !s || !canAct(m);
      const d = id ? m.diagnoses[id] : undefined;
      logs.textContent = d ? `${formatClock(d.t)} (${d.by})\n${d.lines.join('\n')}` : '';
      logs.hidden = !d;
    },
  };
}
