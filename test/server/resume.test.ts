/**
 * Reconnecting with `lastSeq`: the server sends exactly the events after it (no gap, no duplicate,
 * nothing hidden) and says `resumed: true`. Without `lastSeq`, or with one the server has not reached,
 * the client gets `resumed: false` and the whole history again from seq 0. A responder's seq counts
 * the events it can see, 0, 1, 2, … (per-audience numbering); the facilitator's is the log's.
 */
import { describe, expect, it } from 'vitest';
import { isFacilitatorOnly } from '../../engine/core/read/visibility.ts';
import type { EngineEvent } from '../../engine/protocol/events.ts';
import { TestClient, createDrill, sleep, withServer, type Message } from './harness.ts';

type Event = Record<string, unknown> & { seq: number };
const seqs = (events: Record<string, unknown>[]) => events.map((e) => e.seq as number);
const lastSeqOf = (c: TestClient) => Math.max(-1, ...seqs(c.events()));

/** What a responder may see of the facilitator's complete stream, numbered as the responder's audience numbers it. */
const visible = (events: Record<string, unknown>[]): Event[] => (events.filter((e) => !isFacilitatorOnly(e as EngineEvent)) as Event[]).map((e, seq) => ({ ...e, seq }));

describe('resume', () => {
  it('a responder reconnecting with lastSeq gets exactly what it missed; otherwise the whole history', async () => {
    await withServer(async (server) => {
      const creds = await createDrill(server);
      const { sessionId } = creds;
      const join = (hello: Record<string, unknown>) => TestClient.join(server.url, { sessionId, ...hello });
      const fac = await join({ token: creds.facilitatorToken, name: 'Fran' });
      const bob = await join({ code: creds.responderCode, name: 'bob' });
      const rita = await join({ code: creds.responderCode, name: 'rita' });
      const ritaToken = (rita.messages[0] as Message & { participant: { token: string } }).participant.token;
      fac.send({ type: 'control', command: 'start', clientActionId: 'go' });
      await fac.reply('go');
      rita.send({ type: 'action', clientActionId: 'r1', action: 'diagnose', target: 'search' });
      await rita.reply('r1');
      await rita.waitForNow(60_000);

      // rita drops off mid-drill.
      rita.close();
      await rita.closed;
      const lastSeq = lastSeqOf(rita);
      expect(lastSeq).toBeGreaterThan(3);

      // Meanwhile: hidden events (the inject and its fault), visible ones (the change it deploys, bob's diagnosis), ticks.
      fac.send({ type: 'control', command: 'inject', fault: 'pricing-rules-v2', clientActionId: 'inject' });
      await fac.reply('inject');
      bob.send({ type: 'action', clientActionId: 'b1', action: 'diagnose', target: 'pricing' });
      await bob.reply('b1');
      const awayFrom = Math.max(...fac.messages.filter((m) => m.type === 'events').map((m) => m.now as number));
      await fac.waitForNow(awayFrom + 30_000);

      const back = await join({ participantToken: ritaToken, lastSeq });
      const welcome = back.messages[0] as Message;
      expect(welcome).toMatchObject({ type: 'welcome', resumed: true, role: 'responder' });
      const newestAtJoin = welcome.seq as number;
      expect(newestAtJoin).toBeGreaterThan(lastSeq);
      // Backlog first (no sample), then the chart history, then live batches.
      await back.waitForNext((m) => m.type === 'events' && m.sample !== undefined);
      await back.waitForNext((m) => m.type === 'events' && m.sample !== undefined);
      const history = back.messages.findIndex((m) => m.type === 'history');
      const firstLive = back.messages.findIndex((m) => m.type === 'events' && m.sample !== undefined);
      expect(history).toBeGreaterThan(0);
      expect(history).toBeLessThan(firstLive);
      const backlog = back.messages.slice(1, history).flatMap((m) => (m.type === 'events' ? (m.events as Event[]) : []));
      expect(back.messages.slice(1, history).every((m) => m.type === 'events' && m.sample === undefined)).toBe(true);

      const all = fac.events() as Event[];
      // The facilitator's own stream is complete: every seq from 0, once each.
      expect(seqs(all)).toEqual(all.map((_, i) => i));
      const missed = visible(all).filter((e) => e.seq > lastSeq && e.seq <= newestAtJoin);
      // The responder's numbering has no gaps, before and after the reconnect.
      expect(seqs(rita.events())).toEqual(rita.events().map((_, i) => i));
      expect(seqs(backlog)).toEqual(backlog.map((_, i) => lastSeq + 1 + i));
      expect(backlog).toEqual(missed);
      expect(missed.some((e) => e.type === 'change.deployed')).toBe(true);
      expect(missed.some((e) => e.type === 'diagnosis' && e.by === 'bob')).toBe(true);
      // Hidden events happened in the gap, and were not sent.
      expect(all.some((e) => e.seq > (missed[0]?.seq ?? 0) && e.type === 'fault.started')).toBe(true);
      expect(back.events().some((e) => isFacilitatorOnly(e as EngineEvent))).toBe(false);

      // Before + after = the visible stream, with no gap and no duplicate.
      const union = [...seqs(rita.events()), ...seqs(back.events())];
      expect(new Set(union).size).toBe(union.length);
      const upTo = Math.min(lastSeqOf(back), visible(fac.events()).length - 1);
      expect(union.filter((s) => s <= upTo)).toEqual(union.filter((s) => s <= upTo).map((_, i) => i));
      expect(rita.events().concat(back.events()).filter((e) => (e.seq as number) <= upTo)).toEqual(visible(fac.events()).filter((e) => e.seq <= upTo));

      // Pause so that the newest seq holds still, then try the other cases.
      fac.send({ type: 'control', command: 'pause', clientActionId: 'pause' });
      await fac.reply('pause');
      await fac.waitForEvent('drill.state', { to: 'paused' });
      const everything = visible(fac.events());
      const newest = everything.length - 1;

      const lastVisible = everything.at(-1)?.seq ?? -1;
      const fresh = async (hello: Record<string, unknown>, expectBacklog = true) => {
        const c = await join({ participantToken: ritaToken, ...hello });
        const w = c.messages[0] as Message;
        expect(w.type).toBe('welcome');
        expect(w.seq).toBe(newest);
        if (expectBacklog) await c.waitFor(() => lastSeqOf(c) >= lastVisible, 5_000);
        else await sleep(200);
        return { c, w };
      };

      // Up to date: resumed, and nothing to send.
      const current = await fresh({ lastSeq: newest }, false);
      expect(current.w.resumed).toBe(true);
      expect(current.c.events()).toEqual([]);

      // lastSeq ahead of the server (it was never reached): a fresh snapshot and the whole history.
      const ahead = await fresh({ lastSeq: newest + 1000 });
      expect(ahead.w.resumed).toBe(false);
      expect(ahead.c.events()).toEqual(everything);
      expect(ahead.c.events()[0]?.seq).toBe(0);

      const ahead1 = await fresh({ lastSeq: newest + 1 });
      expect(ahead1.w.resumed).toBe(false);
      expect(ahead1.c.events()).toEqual(everything);

      // No lastSeq: the same.
      const none = await fresh({});
      expect(none.w.resumed).toBe(false);
      expect(none.c.events()).toEqual(everything);
      expect((none.w.snapshot as { phase: string }).phase).toBe('paused');

      // lastSeq -1 ("seen nothing yet"): resumed from the start.
      const zero = await fresh({ lastSeq: -1 });
      expect(zero.w.resumed).toBe(true);
      expect(zero.c.events()).toEqual(everything);

      for (const c of [fac, bob, back, current.c, ahead.c, ahead1.c, none.c, zero.c]) c.close();
    });
  }, 30_000);
});
