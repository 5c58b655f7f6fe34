/**
 * The facilitator's "People & links" panel: their own way back in, the join links (or named
 * invites in invite-only drills), and the roster — who is here, from how many tabs and browsers —
 * with a Remove button. Controlled friction needs a second *person*; this is where the facilitator
 * sees that the people are who they say.
 */
import type { InviteResponse, JoinMode, RosterEntry } from '../../../engine/protocol/messages.ts';
import { h } from '../dom.ts';

export interface PeopleContext {
  sessionId: string;
  facilitatorToken: string;
  joinMode: JoinMode;
  share: { responderCode: string | null; observerCode: string } | undefined;
  notify(text: string, kind?: 'ok' | 'error'): void;
}

export interface PeopleView {
  readonly element: HTMLElement;
  setRoster(entries: readonly RosterEntry[]): void;
}

const absolute = (path: string) => `${location.origin}${path}`;

/** A read-only link with a Copy button (the clipboard needs a secure context; localhost is one). */
export function linkRow(label: string, url: string, note?: string): HTMLElement {
  const field = h('input', { type: 'text', readonly: true, value: url, 'aria-label': label, class: 'share-url' });
  const copy = h('button', { type: 'button', text: 'Copy' });
  copy.addEventListener('click', () => {
    field.select();
    void navigator.clipboard?.writeText(url).then(
      () => (copy.textContent = 'Copied'),
      () => (copy.textContent = 'Select and copy'),
    );
  });
  return h('div', { class: 'share-row' }, h('span', { class: 'share-label', text: label }), field, copy, note ? h('small', { class: 'muted', text: note }) : null);
}

export function createPeopleView(ctx: PeopleContext): PeopleView {
  const { sessionId, facilitatorToken } = ctx;
  const auth = { authorization: `Bearer ${facilitatorToken}` };
  const api = (path: string) => `/api/sessions/${encodeURIComponent(sessionId)}${path}`;
  const links = h('div', { class: 'share-links' });
  links.append(linkRow('You (facilitator)', absolute(`/#/drill/${sessionId}?token=${facilitatorToken}`), 'keep it secret: it runs this drill; reopening this page in this browser also gets you back in'));
  if (ctx.joinMode === 'code' && ctx.share?.responderCode) links.append(linkRow('Responders', absolute(`/#/join/${sessionId}?code=${ctx.share.responderCode}`)));
  if (ctx.share) links.append(linkRow('Observers', absolute(`/#/join/${sessionId}?code=${ctx.share.observerCode}`)));

  const invites = h('div', { class: 'invites' });
  const inviteName = h('input', { id: 'invite-name', maxlength: 64, autocomplete: 'off', placeholder: 'their name' });
  const inviteForm = h(
    'form',
    { class: 'invite-form', 'aria-label': 'Invite a responder by name' },
    h('label', { for: 'invite-name', text: ctx.joinMode === 'invite' ? 'Invite a responder' : 'Named link (or a lost tab back)' }),
    inviteName,
    h('button', { type: 'submit', text: 'Make link' }),
  );
  const showInvite = (i: InviteResponse) => invites.append(linkRow(`${i.name}${i.participantId ? ` (${i.participantId})` : ''}`, absolute(i.path)));
  inviteForm.addEventListener('submit', async (event) => {
    event.preventDefault();
    const name = inviteName.value.trim();
    if (!name) return;
    const res = await fetch(api('/invites'), { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: JSON.stringify({ name }) });
    const body = (await res.json()) as InviteResponse & { message?: string };
    if (!res.ok) return ctx.notify(`Invite: ${body.message ?? res.statusText}`, 'error');
    inviteName.value = '';
    if (![...invites.querySelectorAll('input')].some((i) => i.value === absolute(body.path))) showInvite(body);
    ctx.notify(`Invite link for ${body.name} ready to copy`);
  });
  void fetch(api('/invites'), { headers: auth })
    .then((r) => (r.ok ? (r.json() as Promise<{ invites: InviteResponse[] }>) : { invites: [] }))
    .then(({ invites: list }) => list.forEach(showInvite));

  const roster = h('ul', { class: 'roster', 'aria-label': 'People in this drill' });
  const element = h(
    'div',
    { class: 'share-body' },
    h('h2', { text: 'Links' }),
    links,
    ctx.joinMode === 'invite' ? h('p', { class: 'muted', text: 'Invite-only: the responder code is refused; each responder needs their own link.' }) : null,
    inviteForm,
    invites,
    h('h2', { text: 'People' }),
    roster,
  );

  async function remove(entry: RosterEntry): Promise<void> {
    const res = await fetch(api(`/participants/${encodeURIComponent(entry.id)}`), { method: 'DELETE', headers: auth });
    const body = (await res.json()) as { message?: string };
    ctx.notify(res.ok ? `${entry.name} removed` : `Remove ${entry.name}: ${body.message ?? res.statusText}`, res.ok ? 'ok' : 'error');
  }

  return {
    element,
    setRoster(entries) {
      roster.replaceChildren(
        ...entries.map((e) => {
          const presence = e.sockets === 0 ? 'offline' : `${e.sockets} tab${e.sockets === 1 ? '' : 's'}, ${e.browsers} browser${e.browsers === 1 ? '' : 's'}`;
          const button = e.role === 'facilitator' || e.removed ? null : h('button', { type: 'button', text: 'Remove', 'aria-label': `Remove ${e.name}` });
          button?.addEventListener('click', () => void remove(e));
          const warn = e.browsers > 1 ? h('span', { class: 'warn', text: ' · one person, several browsers' }) : null;
          return h(
            'li',
            { class: `person ${e.removed ? 'removed' : ''}` },
            h('strong', { text: e.name }),
            ` ${e.role} · ${e.id}${e.invited ? ' · invited' : ''} · ${e.removed ? 'removed' : presence}`,
            warn,
            button ? ' ' : null,
            button,
          );
        }),
      );
      if (entries.every((e) => e.role === 'facilitator')) roster.append(h('li', { class: 'muted', text: 'No responders or observers yet.' }));
    },
  };
}
