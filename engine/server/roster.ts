/**
 * Who is in a drill. Every participant gets a server-issued id and a secret token (stored hashed);
 * the browser keeps the token, so every tab of one browser is one person. Names are unique within a
 * drill after normalisation (names.ts), and the facilitator's name is reserved. Controlled friction
 * compares the ids, so one person under two names is still one person.
 */
import type { RosterEntry, Role } from '../protocol/messages.ts';
import { deriveSecret, hashToken, newInviteId, newParticipantToken } from './credentials.ts';
import { checkName, sameName } from './names.ts';
import type { Store, StoredInvite, StoredParticipant } from './store.ts';

export interface Participant extends StoredParticipant {
  keys: readonly string[];
}

export type JoinResult = { ok: true; participant: Participant; token: string } | { ok: false; code: string; message: string };

/**
 * Asked before a join writes anything (a new participant, a new token): the caller's limits, such as
 * sockets per person. A join refused there must leave no trace, or its name would be taken for good.
 */
export type JoinGate = (role: Role, participantId: string | null) => { ok: false; code: string; message: string } | null;

/** Tokens one person keeps (one per browser they joined from); the oldest goes when a new one comes. */
const MAX_TOKENS_PER_PARTICIPANT = 16;

export interface InviteLink extends StoredInvite {
  /** The secret that makes the link; derived from the facilitator's token, never stored. */
  token: string;
}

/** Words nobody may take, so a name cannot pose as the system or the role. */
const RESERVED = ['facilitator', 'sevdrill', 'system'].map((n) => keysOf(n));

function keysOf(name: string): readonly string[] {
  const checked = checkName(name);
  if (!checked.ok) throw new Error(`invariant: stored name "${name}" no longer passes the name check`);
  return checked.keys;
}

interface Presence {
  sockets: number;
  /** Each socket's browser: its device id if it sent one, else the token it came in with. */
  browsers: Map<object, string>;
}

export class Roster {
  private readonly people = new Map<string, Participant>();
  /** With their names' keys, worked out once: every join is checked against every open invite. */
  private readonly invites = new Map<string, StoredInvite & { keys: readonly string[] }>();
  private readonly presence = new Map<string, Presence>();
  readonly facilitator: Participant;

  constructor(
    private readonly sessionId: string,
    private readonly store: Store,
    facilitatorName: string,
    private readonly maxParticipants: number,
  ) {
    for (const p of store.participants(sessionId)) this.people.set(p.id, { ...p, keys: keysOf(p.name) });
    for (const i of store.invites(sessionId)) this.invites.set(i.id, { ...i, keys: keysOf(i.name) });
    const existing = [...this.people.values()].find((p) => p.role === 'facilitator');
    // Drills created before identities existed have no facilitator row: make one.
    this.facilitator = existing ?? this.add('facilitator', checkedOrDefault(facilitatorName), null, new Date());
  }

  /** A returning participant, by the token their browser kept. */
  byToken(token: string): Participant | undefined {
    const owner = this.store.tokenOwner(this.sessionId, hashToken(token));
    return owner === undefined ? undefined : this.people.get(owner.id);
  }

  /** A new participant who came in with the responder or observer code and a name of their choosing. */
  joinWithCode(role: Exclude<Role, 'facilitator'>, rawName: unknown, now: Date, gate: JoinGate): JoinResult {
    const checked = checkName(rawName);
    if (!checked.ok) return checked;
    const clash = this.clash(checked.keys);
    if (clash) return { ok: false, code: 'name-taken', message: `"${checked.display}" is taken (${clash}); pick another name` };
    if (this.people.size >= this.maxParticipants) {
      return { ok: false, code: 'drill-full', message: `this drill already has ${this.maxParticipants} participants` };
    }
    const refused = gate(role, null);
    if (refused) return refused;
    // One transaction: a person is never stored without the token that proves them, or the reverse.
    return this.store.transaction(() => {
      const participant = this.add(role, checked.display, null, now);
      return { ok: true, participant, token: this.issueToken(participant, now) };
    });
  }

  /** Someone opening a named invite link: the invite's person, now or again (another browser of theirs). */
  redeemInvite(inviteToken: string, now: Date, gate: JoinGate): JoinResult {
    const invite = this.store.inviteByTokenHash(this.sessionId, hashToken(inviteToken));
    if (!invite) return { ok: false, code: 'unknown-invite', message: 'that invite link is not valid for this drill; ask the facilitator for a new one' };
    const bound = invite.participantId === null ? undefined : this.people.get(invite.participantId);
    if (bound?.removedAt) return { ok: false, code: 'removed', message: 'the facilitator removed you from this drill' };
    if (invite.revoked) return { ok: false, code: 'unknown-invite', message: 'that invite link is no longer valid; ask the facilitator for a new one' };
    const refused = gate('responder', bound?.id ?? null);
    if (refused) return refused;
    if (!bound && this.people.size >= this.maxParticipants) return { ok: false, code: 'drill-full', message: `this drill already has ${this.maxParticipants} participants` };
    // One transaction: the invite is never left unbound to the person it made (a retry would make a second one).
    return this.store.transaction(() => {
      let participant = bound;
      if (!participant) {
        participant = this.add('responder', invite.name, invite.id, now);
        this.store.bindInvite(this.sessionId, invite.id, participant.id);
        this.invites.set(invite.id, { id: invite.id, name: invite.name, participantId: participant.id, createdAt: invite.createdAt, keys: keysOf(invite.name) });
      }
      return { ok: true, participant, token: this.issueToken(participant, now) };
    });
  }

  /**
   * A named invite link (the facilitator's). For a name already in the drill, the link brings that
   * same person back (a lost tab, a second device); for a name already invited, it is that invite.
   */
  invite(rawName: unknown, facilitatorToken: string, now: Date): { ok: true; invite: InviteLink } | { ok: false; code: string; message: string } {
    const checked = checkName(rawName);
    if (!checked.ok) return checked;
    const person = [...this.people.values()].find((p) => sameName(p.keys, checked.keys));
    if (person && (person.role !== 'responder' || person.removedAt)) {
      return { ok: false, code: 'name-taken', message: `"${checked.display}" is taken (${person.removedAt ? 'by a removed participant' : `the ${person.role}`})` };
    }
    const invited = [...this.invites.values()].find((i) => (person ? i.participantId === person.id : i.participantId === null && sameName(i.keys, checked.keys)));
    if (invited) return { ok: true, invite: this.link(invited, facilitatorToken) };
    if (RESERVED.some((k) => sameName(k, checked.keys))) return { ok: false, code: 'name-taken', message: `"${checked.display}" is reserved` };
    const invite: StoredInvite = { id: newInviteId(), name: person?.name ?? checked.display, participantId: person?.id ?? null, createdAt: now.toISOString() };
    const link = this.link(invite, facilitatorToken);
    this.store.addInvite(this.sessionId, invite, hashToken(link.token));
    this.invites.set(invite.id, { ...invite, keys: keysOf(invite.name) });
    return { ok: true, invite: link };
  }

  inviteLinks(facilitatorToken: string): InviteLink[] {
    return [...this.invites.values()].filter((i) => !this.people.get(i.participantId ?? '')?.removedAt).map((i) => this.link(i, facilitatorToken));
  }

  /** Removes a participant for good: their tokens and invite links stop working at once. */
  remove(id: string, now: Date): { ok: true; participant: Participant } | { ok: false; code: string; message: string } {
    const p = this.people.get(id);
    if (!p) return { ok: false, code: 'unknown-participant', message: `no participant "${id}" in this drill` };
    if (p.role === 'facilitator') return { ok: false, code: 'forbidden', message: 'the facilitator cannot be removed' };
    if (p.removedAt) return { ok: true, participant: p };
    this.store.removeParticipant(this.sessionId, id, now);
    p.removedAt = now.toISOString();
    for (const [inviteId, invite] of this.invites) if (invite.participantId === id) this.invites.delete(inviteId);
    return { ok: true, participant: p };
  }

  /** The responder (not removed) whose name looks like `raw`, as names are compared on joining; for acknowledgements from outside. */
  responderNamed(raw: string): Participant | undefined {
    const checked = checkName(raw);
    if (!checked.ok) return undefined;
    const matches = [...this.people.values()].filter((p) => p.role === 'responder' && p.removedAt === null && sameName(p.keys, checked.keys));
    // Look-alike folding is not transitive: "Ian" looks like both "ian" and "lan", who may both be here.
    // Then only the one spelt the same (case aside) is meant; with none, nobody is.
    if (matches.length <= 1) return matches[0];
    return matches.find((p) => p.name.toLowerCase() === checked.display.toLowerCase());
  }

  /** How many sockets a participant has open right now. */
  socketsOf(id: string): number {
    return this.presence.get(id)?.sockets ?? 0;
  }

  attach(id: string, socket: object, browser: string): void {
    const presence = this.presence.get(id) ?? { sockets: 0, browsers: new Map<object, string>() };
    presence.sockets++;
    presence.browsers.set(socket, browser);
    this.presence.set(id, presence);
  }

  detach(id: string, socket: object): void {
    const presence = this.presence.get(id);
    if (!presence || !presence.browsers.delete(socket)) return;
    presence.sockets--;
  }

  entries(): RosterEntry[] {
    return [...this.people.values()].map((p) => {
      const presence = this.presence.get(p.id);
      return {
        id: p.id,
        name: p.name,
        role: p.role,
        sockets: presence?.sockets ?? 0,
        browsers: new Set(presence?.browsers.values()).size,
        joinedAt: p.createdAt,
        invited: p.inviteId !== null,
        removed: p.removedAt !== null,
      };
    });
  }

  /** What a new name would be confused with, or null. Removed people keep their names: the log still shows them. */
  private clash(keys: readonly string[]): string | null {
    if (RESERVED.some((k) => sameName(k, keys))) return 'a reserved name';
    for (const p of this.people.values()) if (sameName(p.keys, keys)) return p.role === 'facilitator' ? "the facilitator's name" : 'someone in this drill has it';
    for (const i of this.invites.values()) if (i.participantId === null && sameName(i.keys, keys)) return 'it is kept for an invited person';
    return null;
  }

  private add(role: Role, name: string, inviteId: string | null, now: Date): Participant {
    // Ids count up within the drill: they are public (in the log and the report), so they need not be
    // secret, and two drills played the same way get the same log, ids included.
    const participant: Participant = { id: `p${this.people.size + 1}`, role, name, keys: keysOf(name), inviteId, createdAt: now.toISOString(), removedAt: null };
    this.store.addParticipant(this.sessionId, participant);
    this.people.set(participant.id, participant);
    return participant;
  }

  private issueToken(p: Participant, now: Date): string {
    const token = newParticipantToken();
    // Whoever holds an invite link could otherwise grow the token table without end, a row a hello.
    this.store.addToken(this.sessionId, p.id, hashToken(token), now, MAX_TOKENS_PER_PARTICIPANT);
    return token;
  }

  private link(invite: StoredInvite, facilitatorToken: string): InviteLink {
    const { id, name, participantId, createdAt } = invite;
    return { id, name, participantId, createdAt, token: deriveSecret(facilitatorToken, this.sessionId, `invite:${id}`) };
  }
}

/** The facilitator's display name: what they asked for if it is a valid name, else "Facilitator". */
export function checkedOrDefault(name: unknown): string {
  const checked = checkName(name);
  return checked.ok ? checked.display : 'Facilitator';
}
