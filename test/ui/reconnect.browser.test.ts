/**
 * A responder's console survives a reload and a dropped connection mid-drill: the badge goes back to
 * "live" and the timeline has no gap. "No gap" is checked against the server's own log: over the range
 * of seqs the timeline shows, it must show exactly the log's events minus the facilitator's secrets
 * (fault.started, fault.ended, inject commands) and minus what the timeline hides (impact.minute,
 * checkpoint, and a command its result restates: one line per fact). Another responder (bob, a
 * plain ws client) keeps acting meanwhile, so events happen while the page is away.
 *
 * Real server on 127.0.0.1:0, real Chromium (/usr/bin/chromium); SEVDRILL_SKIP_BROWSER=1 skips on purpose.
 */
import type { WebSocket as PageSocket } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, describe, expect, it, onTestFailed } from 'vitest';
import { TestClient, createDrill, sleep, type CodeDrill } from '../server/harness.ts';
import { SKIP_BROWSER, badge, expectedSeqs, joinDrill, person, reportProblems, startRig, timelineSeqs, waitLive, type Person, type Rig } from './browser.ts';

/** What the page said on each of its sockets: the hello it sent and the welcome it got. */
interface Handshake {
  hello?: { lastSeq?: number };
  welcome?: { resumed: boolean; seq: number };
}

describe.skipIf(SKIP_BROWSER)('the console reconnects without a gap', () => {
  let rig: Rig;
  let drill: CodeDrill;
  let facilitator: TestClient;
  let bob: TestClient;
  let alice: Person;
  const handshakes: Handshake[] = [];
  let bobActions = 0;

  /**
   * bob acts; resolves with the seq of the line that tells it: its result (incident.role,
   * status.posted), logged right after his command, which the timeline folds into it.
   */
  async function bobActs(action: string, params: Record<string, string | number>): Promise<number> {
    const clientActionId = `bob-${++bobActions}`;
    bob.send({ type: 'action', clientActionId, action, params });
    const reply = await bob.reply(clientActionId);
    expect(reply.type).toBe('ack');
    return (reply.seq as number) + 1;
  }

  /** Waits until alice's timeline shows `seq`, then checks it against the log over the range it shows. */
  async function expectNoGap(seq: number): Promise<number[]> {
    const deadline = Date.now() + 15_000;
    let seqs = await timelineSeqs(alice.page);
    while (!seqs.includes(seq)) {
      if (Date.now() > deadline) throw new Error(`the timeline never showed seq ${seq}; it has ${seqs.slice(-5).join(', ')}`);
      await sleep(50);
      seqs = await timelineSeqs(alice.page);
    }
    const from = seqs[0] as number;
    const to = seqs.at(-1) as number;
    expect(seqs).toEqual(await expectedSeqs(rig.server, drill.sessionId, drill.facilitatorToken, from, to));
    return seqs;
  }

  beforeAll(async () => {
    rig = await startRig();
    drill = await createDrill(rig.server, { scenarioId: 'retail-sev1', speed: 60 });
    facilitator = await TestClient.join(rig.server.url, { sessionId: drill.sessionId, token: drill.facilitatorToken, name: 'facilitator' });
    bob = await TestClient.join(rig.server.url, { sessionId: drill.sessionId, code: drill.responderCode, name: 'bob' });
    alice = await person(rig.browser, 'alice');
    alice.page.on('websocket', (ws: PageSocket) => {
      const shake: Handshake = {};
      handshakes.push(shake);
      ws.on('framesent', ({ payload }) => {
        const m = JSON.parse(String(payload)) as { type: string; lastSeq?: number };
        if (m.type === 'hello') shake.hello = m;
      });
      ws.on('framereceived', ({ payload }) => {
        const m = JSON.parse(String(payload)) as { type: string; resumed: boolean; seq: number };
        if (m.type === 'welcome') shake.welcome = m;
      });
    });
    await joinDrill(alice, rig.server.url, drill.sessionId, drill.responderCode, 'alice');
    facilitator.send({ type: 'control', command: 'start', clientActionId: 'f1' });
    expect((await facilitator.reply('f1')).type).toBe('ack');
    facilitator.send({ type: 'control', command: 'inject', fault: 'pricing-rules-v2', clientActionId: 'f2' });
    expect((await facilitator.reply('f2')).type).toBe('ack');
  });

  // A step that times out is often explained by an error the page logged: show it with the failure.
  beforeEach(() => onTestFailed(() => reportProblems(alice ? [alice] : [])));

  afterAll(async () => {
    facilitator?.close();
    bob?.close();
    await rig?.close();
  });

  it('shows the cascade live, with no gap', async () => {
    await alice.page.getByRole('button', { name: /^Pricing: down/ }).waitFor();
    const seq = await bobActs('assign-role', { role: 'ops' });
    await expectNoGap(seq);
  });

  it('after a reload: live again, the whole history, no gap', async () => {
    const before = await timelineSeqs(alice.page);
    await alice.page.reload();
    // Events happen while the page reloads.
    const during = await bobActs('status-update', { message: 'bob: investigating pricing (while alice reloads)' });
    await waitLive(alice.page);
    expect(await badge(alice.page).textContent()).toBe('live');
    // No lastSeq survives a reload: a fresh snapshot and the whole history as backlog.
    expect(handshakes.at(-1)?.hello?.lastSeq).toBeUndefined();
    expect(handshakes.at(-1)?.welcome?.resumed).toBe(false);
    const after = await bobActs('status-update', { message: 'bob: still on it (after alice reloaded)' });
    const seqs = await expectNoGap(after);
    expect(seqs).toContain(during);
    expect(seqs[0]).toBeLessThanOrEqual(before[0] as number);
    await alice.page.getByRole('button', { name: /^Pricing: down/ }).first().waitFor();
    await alice.page.getByText('IC: — · comms: — · ops: bob').waitFor();
  });

  it('after the connection drops: "disconnected", then live again, resumed from lastSeq, no gap', async () => {
    const sockets = handshakes.length;
    const before = await timelineSeqs(alice.page);
    await alice.context.setOffline(true);
    // Chromium's offline mode stops new connections but leaves open sockets alone: drop ours from the page side.
    await alice.page.evaluate('window.__sockets.at(-1).close()');
    await alice.page.locator('.console-head .link', { hasText: /^disconnected/ }).waitFor();
    const during = [await bobActs('status-update', { message: 'bob: pricing config v2 looks suspicious (alice offline)' })];
    await sleep(600);
    during.push(await bobActs('assign-role', { role: 'comms' }));
    expect(await badge(alice.page).textContent()).not.toBe('live');
    await alice.context.setOffline(false);
    await waitLive(alice.page, 20_000);
    const resumedShake = handshakes.at(-1) as Handshake;
    expect(handshakes.length).toBeGreaterThan(sockets);
    // It resumed from the last event it had (impact.minute is received but not shown, so it may be past the timeline's last).
    expect(resumedShake.hello?.lastSeq).toBeGreaterThanOrEqual(before.at(-1) as number);
    expect(resumedShake.hello?.lastSeq).toBeLessThan(during[0] as number);
    expect(resumedShake.welcome?.resumed).toBe(true);
    const after = await bobActs('status-update', { message: 'bob: back together (alice online)' });
    const seqs = await expectNoGap(after);
    for (const s of during) expect(seqs).toContain(s);
    await alice.page.getByText('comms: bob').waitFor();
  });

  it('logged no console error and threw no page error, apart from the refused connections while offline', () => {
    const offline = /WebSocket connection to 'ws:\/\/127\.0\.0\.1:\d+\/ws' failed: .*ERR_INTERNET_DISCONNECTED/;
    expect(alice.problems.filter((p) => !offline.test(p))).toEqual([]);
  });
});
