/**
 * The whole drill through the browser console: a facilitator creates a retail-sev1 drill from the
 * lobby, starts it and injects the pricing fault; two responders join by code, watch the cascade,
 * acknowledge, declare, roll pricing back with a second approver and see the recovery; an observer
 * can only watch. No page may log a console error or throw. Screenshots go to artifacts/.
 *
 * Real server on 127.0.0.1:0, real Chromium (/usr/bin/chromium); SEVDRILL_SKIP_BROWSER=1 skips on purpose.
 */
import { existsSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, describe, expect, it, onTestFailed } from 'vitest';
import { SKIP_BROWSER, artifact, badge, joinDrill, person, reportProblems, startRig, timelineSeqs, waitLive, type Person, type Rig } from './browser.ts';

/** What the lobby and the People & links panel gave the facilitator. */
interface Stored {
  facilitatorToken: string;
  responderCode: string;
  observerCode: string;
}

const BUTTON_REGIONS = ['Pager', 'Incident', 'Actions', 'Service details'];

/** Waits for the console's status line to say `text` (the result of the last action). */
const notified = (page: Page, text: string | RegExp) => page.locator('.status-line', { hasText: text }).waitFor();
const incidentState = (page: Page) => page.getByRole('region', { name: 'Incident' }).locator('.incident-state');

describe.skipIf(SKIP_BROWSER)('the drill console in Chromium', () => {
  let rig: Rig;
  let facilitator: Person;
  let alice: Person;
  let bob: Person;
  let observer: Person;
  let people: Person[] = [];
  let sessionId = '';
  let stored: Stored;

  beforeAll(async () => {
    rig = await startRig();
    facilitator = await person(rig.browser, 'facilitator');
    alice = await person(rig.browser, 'alice');
    bob = await person(rig.browser, 'bob');
    observer = await person(rig.browser, 'observer');
    people = [facilitator, alice, bob, observer];
  });

  afterAll(async () => {
    await rig?.close();
  });

  // A step that times out is often explained by an error the pages logged: show them with the failure.
  beforeEach(() => onTestFailed(() => reportProblems(people)));

  it('creates a retail-sev1 drill at speed 60 from the lobby', async () => {
    const { page } = facilitator;
    await page.goto(`${rig.server.url}/#/`);
    const form = page.getByRole('form', { name: /^Create a Retail Sev 1/ });
    await form.waitFor();
    await page.getByRole('heading', { name: 'Drills' }).waitFor();
    await page.screenshot({ path: artifact('ui-lobby.png') });
    await form.getByLabel('Speed').fill('60');
    await form.getByRole('button', { name: 'Create drill' }).click();
    await page.waitForURL(/#\/drill\/[^/?]+$/);
    sessionId = new URL(page.url()).hash.replace('#/drill/', '');
    await waitLive(page);
    // The token stays in this browser (localStorage), and left the address bar.
    const kept = JSON.parse((await page.evaluate(`localStorage.getItem('sevdrill:drill:${sessionId}')`)) as string) as { facilitatorToken: string };
    expect(kept.facilitatorToken).toMatch(/\S{20,}/);
    expect(page.url()).not.toContain(kept.facilitatorToken);
    // People & links: the facilitator's own link (token in the fragment) and the join links.
    await page.getByText('People & links').click();
    const linkOf = async (label: string) => page.getByRole('textbox', { name: label, exact: true }).inputValue();
    expect(await linkOf('You (facilitator)')).toBe(`${rig.server.url}/#/drill/${sessionId}?token=${kept.facilitatorToken}`);
    const code = (url: string) => new URLSearchParams(url.split('?')[1]).get('code') as string;
    stored = { facilitatorToken: kept.facilitatorToken, responderCode: code(await linkOf('Responders')), observerCode: code(await linkOf('Observers')) };
    expect(stored.responderCode).toMatch(/\S{10,}/);
    expect(await linkOf('Responders')).toBe(`${rig.server.url}/#/join/${sessionId}?code=${stored.responderCode}`);
    await page.getByRole('list', { name: 'People in this drill' }).getByRole('listitem').filter({ hasText: /facilitator · p1/ }).waitFor();
    await page.getByText('People & links').click();
    await page.locator('.clock', { hasText: '60×' }).waitFor();
    expect(await page.getByRole('combobox', { name: 'Speed' }).inputValue()).toBe('60');
  });

  it('lets responders and an observer join by code', async () => {
    await joinDrill(alice, rig.server.url, sessionId, stored.responderCode, 'alice');
    await joinDrill(bob, rig.server.url, sessionId, stored.responderCode, 'bob');
    await joinDrill(observer, rig.server.url, sessionId, stored.observerCode, 'olga');
    await alice.page.getByText(/^responder: alice \(p\d+\)$/).waitFor();
    await observer.page.getByText(/^observer: olga \(p\d+\)$/).waitFor();
    // The facilitator's roster lists them, each with one tab in one browser.
    await facilitator.page.getByText('People & links').click();
    const roster = facilitator.page.getByRole('list', { name: 'People in this drill' });
    for (const name of ['alice', 'bob', 'olga']) await roster.getByRole('listitem').filter({ hasText: name }).filter({ hasText: '1 tab, 1 browser' }).waitFor();
    await facilitator.page.screenshot({ path: artifact('ui-people.png') });
    await facilitator.page.getByText('People & links').click();
    // Before the start nobody can act.
    expect(await alice.page.getByRole('button', { name: 'Acknowledge page' }).isDisabled()).toBe(true);
    // …and they are told why, with the briefing open to read meanwhile.
    await alice.page.getByText('Waiting for the facilitator to start the drill.').waitFor();
    expect(await alice.page.locator('details.briefing').getAttribute('open')).not.toBeNull();
    await facilitator.page.getByText(/^Ready\. Read the briefing with the team/).waitFor();
  });

  it('starts the drill and injects the pricing fault from the controls', async () => {
    const { page } = facilitator;
    await page.getByRole('button', { name: 'Start', exact: true }).click();
    await notified(page, 'Start: done');
    await page.getByRole('combobox', { name: 'Fault to inject' }).selectOption('pricing-rules-v2');
    await page.getByRole('button', { name: 'Inject', exact: true }).click();
    await notified(page, 'Inject: done');
    await page.getByRole('region', { name: 'Timeline' }).getByText(/Fault pricing-rules-v2 \([a-z-]+\) started on Pricing/).waitFor();
    // Running: the notice has gone and the briefing has folded away (one click opens it again).
    await alice.page.getByText('Waiting for the facilitator to start the drill.').waitFor({ state: 'hidden' });
    expect(await alice.page.locator('details.briefing').getAttribute('open')).toBeNull();
  });

  it('gets the facilitator back in after they close the tab, from the same browser', async () => {
    await facilitator.page.close();
    const page = await facilitator.context.newPage();
    page.on('console', (m) => {
      if (m.type() === 'error') facilitator.problems.push(`facilitator (reopened): console.error: ${m.text()}`);
    });
    facilitator.page = page;
    // The drill's plain URL, with no token in it: this browser kept it.
    await page.goto(`${rig.server.url}/#/drill/${sessionId}`);
    await waitLive(page);
    await page.getByRole('button', { name: 'Pause', exact: true }).waitFor();
    await page.getByRole('region', { name: 'Timeline' }).getByText(/Fault pricing-rules-v2 \([a-z-]+\) started on Pricing/).waitFor();
  });

  it('treats a second tab of one browser as the same person', async () => {
    // bob opens the join link again: no name is asked, and he is bob (same participant id).
    const second = await bob.context.newPage();
    await second.goto(`${rig.server.url}/#/join/${sessionId}?code=${stored.responderCode}`);
    await waitLive(second);
    const who = await second.locator('.console-head .role').textContent();
    expect(who).toBe(await bob.page.locator('.console-head .role').textContent());
    await facilitator.page.getByText('People & links').click();
    await facilitator.page.getByRole('list', { name: 'People in this drill' }).getByRole('listitem').filter({ hasText: 'bob' }).filter({ hasText: '2 tabs, 1 browser' }).waitFor();
    await facilitator.page.getByText('People & links').click();
    await second.close();
  });

  it('shows the responders the cascade: pricing down and a firing page', async () => {
    for (const p of [alice, bob, observer]) {
      await p.page.getByRole('button', { name: /^Pricing: down/ }).waitFor();
      await p.page.getByRole('list', { name: 'Alerts' }).getByRole('listitem').filter({ hasText: /FIRING · page/ }).first().waitFor();
    }
    await alice.page.getByRole('button', { name: 'Acknowledge page', disabled: false }).waitFor();
    // Paged and not acknowledged: the tab says so, and its icon turns red.
    expect(await alice.page.title()).toMatch(/^🔴 Paged — Retail Sev 1/);
    // Let a frame render the alert list before the picture.
    await alice.page.evaluate('new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)))');
    await alice.page.screenshot({ path: artifact('ui-console.png') });
    expect(await alice.page.evaluate('document.documentElement.scrollHeight')).toBeLessThanOrEqual(900);
    expect(await alice.page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(1440);
    expect(await facilitator.page.evaluate('document.documentElement.scrollHeight')).toBeLessThanOrEqual(900);
    // The fault is the facilitator's secret: no responder timeline names it.
    expect(await alice.page.getByRole('region', { name: 'Timeline' }).getByText(/\bfault /i).count()).toBe(0);
  });

  it("shows the facilitator the drill's secrets, and no responder page contains any of them", async () => {
    const f = facilitator.page;
    await f.getByText('Drill', { exact: true }).click();
    const panel = f.locator('.facilitator-drill');
    await panel.getByText(/^Root cause: pricing-rules-v2 on Pricing · expected severity: Sev 1$/).waitFor();
    // The seed's draw (retail-sev1 varies the root cause's start, among others).
    await panel.getByText(/^This seed drew: .*pricing-rules-v2\.at \d\d:\d\d:\d\d/).waitFor();
    const advice = panel.getByRole('list', { name: 'Advice and its labels' });
    await advice.getByRole('listitem').filter({ hasText: 'Try a cache flush?' }).filter({ hasText: 'harmful' }).filter({ hasText: 'Flushing stampedes the pricing database' }).waitFor();
    await advice.getByRole('listitem').filter({ hasText: 'Account errors: known issue?' }).filter({ hasText: 'stale' }).waitFor();
    const faults = panel.getByRole('list', { name: 'Faults active and to come' });
    await faults.getByRole('listitem').filter({ hasText: /^pricing-rules-v2 on Pricing · active since/ }).waitFor();
    await faults.getByRole('button', { name: 'Inject login-herd now' }).waitFor();
    await faults.getByRole('listitem').filter({ hasText: /^login-herd on Auth · starts when someone runs “Restart Account pages”/ }).waitFor();
    await facilitator.page.screenshot({ path: artifact('ui-facilitator-drill.png') });
    await f.getByText('Drill', { exact: true }).click();
    const secrets = ['Flushing stampedes the pricing database', 'Root cause: pricing-rules', 'expected severity', 'login-herd', 'search-reindex', 'Red herring', 'The session cache was removed in 2024', 'This seed drew'];
    for (const p of [alice, bob, observer]) {
      const text = await p.page.evaluate('document.body.innerText');
      for (const secret of secrets) expect(String(text), `${p.label}: ${secret}`).not.toContain(secret);
    }
  });

  it('gives a late joiner and a reload the charts the early joiners drew, within one tick', async () => {
    const late = await person(rig.browser, 'late');
    people.push(late);
    await joinDrill(late, rig.server.url, sessionId, stored.observerCode, 'lena');
    await bob.page.reload();
    await waitLive(bob.page);
    // The charts' holdings, read one right after another while the drill runs at 60×: a tick apart at most.
    const held = async (p: Person) => {
      const grid = p.page.locator('.charts-grid');
      return { points: Number(await grid.getAttribute('data-points')), lastT: Number(await grid.getAttribute('data-last-t')) };
    };
    await late.page.waitForFunction("Number(document.querySelector('.charts-grid')?.getAttribute('data-points')) > 10");
    const [early, lateJoiner, reloaded] = [await held(observer), await held(late), await held(bob)];
    expect(early.points).toBeGreaterThan(10);
    for (const other of [lateJoiner, reloaded]) {
      // Point for point: whatever ticks passed between the reads (a loaded machine may take several
      // at 60×), the point counts differ by exactly those ticks (10 s each in retail-sev1).
      expect(other.points - early.points, JSON.stringify({ early, other })).toBe((other.lastT - early.lastT) / 10_000);
      expect(Math.abs(other.lastT - early.lastT)).toBeLessThanOrEqual(60_000);
    }
    await late.context.close();
    people.pop();
  });

  it('lists the config push in Changes as a plain deploy, flagged on the tab', async () => {
    const { page } = alice;
    await page.getByRole('tab', { name: 'Changes · 1 new' }).click();
    const card = page.getByRole('region', { name: 'Changes' }).locator('li.change-card.plain');
    await card.getByText(/^deployed by deploy-bot at \d\d:\d\d:\d\d$/).waitFor();
    await card.getByText('pricing-rules config v2: re-enable regional rounding rule', { exact: false }).waitFor();
    expect(await card.locator('.chip').textContent()).toBe('deployed');
    // Without a change window, the console stays on the actions.
    await page.getByRole('tab', { name: 'Actions' }).click();
    await page.getByRole('region', { name: 'Actions' }).getByRole('button', { name: 'Roll back Pricing' }).waitFor();
  });

  it('keeps the observer from acting, in the page and on the wire', async () => {
    const { page } = observer;
    const buttons = await Promise.all(
      BUTTON_REGIONS.map((name) => page.getByRole('region', { name }).getByRole('button').evaluateAll((bs) => bs.map((b) => ({ text: b.textContent, disabled: (b as { disabled: boolean }).disabled })))),
    );
    const all = buttons.flat();
    expect(all.map((b) => b.text)).toContain('Acknowledge page');
    expect(all.map((b) => b.text)).toContain('Roll back Pricing');
    expect(all.filter((b) => !b.disabled)).toEqual([]);
    expect(await page.getByRole('button', { name: 'Acknowledge page', disabled: false }).count()).toBe(0);
    // Force an action over the console's own socket: the server refuses it.
    const reply = await page.evaluate(`new Promise((resolve) => {
      const ws = window.__sockets.at(-1);
      ws.addEventListener('message', (event) => {
        const m = JSON.parse(event.data);
        if (m.clientActionId === 'forced-ack') resolve(m);
      });
      ws.send(JSON.stringify({ type: 'action', clientActionId: 'forced-ack', action: 'ack' }));
    })`);
    expect(reply).toMatchObject({ type: 'error', clientActionId: 'forced-ack', code: 'forbidden' });
    expect(await incidentState(alice.page).textContent()).toMatch(/^detected/);
  });

  it('acknowledges, declares Sev 1 and rolls pricing back with a second approver', async () => {
    const a = alice.page;
    await a.getByRole('button', { name: 'Acknowledge page' }).click();
    await notified(a, 'Acknowledge: done');
    await a.waitForFunction("!document.title.startsWith('🔴')");
    await a.getByRole('button', { name: 'Take IC' }).click();
    await notified(a, 'Take ic: done');
    await a.getByRole('combobox', { name: 'Severity' }).selectOption('1');
    await a.getByRole('button', { name: 'Declare / change severity' }).click();
    await notified(a, 'Declare: done');
    for (const p of [alice, bob, observer]) {
      await incidentState(p.page).filter({ hasText: /^declared · Sev 1/ }).waitFor();
      await p.page.getByText('IC: alice').waitFor();
    }

    await a.getByRole('button', { name: 'Roll back Pricing', exact: true }).click();
    await notified(a, 'Roll back Pricing: requested; waiting for approval by another responder');
    // The requester is offered no Approve or Deny of their own request, in any tab; another responder is.
    await a.getByRole('region', { name: 'Actions' }).getByText('waiting for approval by another responder').waitFor();
    expect(await a.getByRole('button', { name: /^(Approve|Deny)\b/ }).count()).toBe(0);
    const aliceAgain = await alice.context.newPage();
    await aliceAgain.goto(`${rig.server.url}/#/join/${sessionId}?code=${stored.responderCode}`);
    await waitLive(aliceAgain);
    await aliceAgain.getByRole('region', { name: 'Actions' }).getByText('waiting for approval by another responder').waitFor();
    expect(await aliceAgain.getByRole('button', { name: /^(Approve|Deny)\b/ }).count()).toBe(0);
    // Forced over that tab's socket, the server refuses it too: one person, whatever the tab.
    const forced = await aliceAgain.evaluate(`new Promise((resolve) => {
      const ws = window.__sockets.at(-1);
      ws.addEventListener('message', (event) => {
        const m = JSON.parse(event.data);
        if (m.clientActionId === 'self-approve') resolve(m);
      });
      ws.send(JSON.stringify({ type: 'action', clientActionId: 'self-approve', action: 'approve', params: { request: 'rollback:pricing' } }));
    })`);
    expect(forced).toMatchObject({ type: 'error', clientActionId: 'self-approve', code: 'self-approval' });
    await aliceAgain.close();
    expect(await observer.page.getByRole('button', { name: 'Approve “Roll back Pricing”' }).isDisabled()).toBe(true);
    // bob has it twice, in the Actions panel and in the banner (test/ui/approval.browser.test.ts): the panel's here.
    const actions = bob.page.getByRole('region', { name: 'Actions' });
    await actions.getByRole('button', { name: 'Approve “Roll back Pricing”', disabled: false }).click();
    await notified(bob.page, 'Approve “Roll back Pricing”: done');
    await actions.getByRole('button', { name: 'Approve “Roll back Pricing”' }).waitFor({ state: 'detached' });
    await alice.page.getByRole('region', { name: 'Actions' }).getByText('waiting for approval by another responder').waitFor({ state: 'detached' });
  });

  it('shows everyone the recovery: pricing healthy again and the incident mitigated', async () => {
    for (const p of [alice, bob, observer, facilitator]) {
      await p.page.getByRole('button', { name: /^Pricing: (healthy|recovering)/ }).waitFor({ timeout: 20_000 });
      await incidentState(p.page).filter({ hasText: /^mitigated · Sev 1/ }).waitFor({ timeout: 20_000 });
    }
    await alice.page.getByRole('button', { name: 'Resolve incident' }).click();
    await notified(alice.page, 'Resolve: done');
    await incidentState(bob.page).filter({ hasText: /^resolved/ }).waitFor();
    // Everyone's timeline is in order, without duplicates.
    for (const p of [alice, bob, observer]) {
      const seqs = await timelineSeqs(p.page);
      expect(new Set(seqs).size).toBe(seqs.length);
      expect(seqs.length).toBeGreaterThan(10);
    }
  });

  it('ends the drill and shows the debrief with the report', async () => {
    const { page } = facilitator;
    await page.getByRole('button', { name: 'End', exact: true }).click();
    await notified(page, 'End: done');
    for (const p of [facilitator, alice]) await p.page.getByRole('link', { name: 'Open the debrief' }).waitFor();
    await alice.page.getByText('The drill has ended.').waitFor();
    expect(await badge(page).textContent()).toBe('live');
    // Nothing left to control once it has ended.
    for (const name of ['Start', 'Pause', 'Resume', 'Inject', 'End']) expect(await page.getByRole('button', { name, exact: true }).isDisabled(), name).toBe(true);
    expect(await page.getByRole('combobox', { name: 'Speed' }).isDisabled()).toBe(true);
    await page.getByRole('link', { name: 'Open the debrief' }).click();
    await page.waitForURL(new RegExp(`#/debrief/${sessionId}$`));
    const report = page.frameLocator('iframe[title="After-action report"]');
    const score = await report.locator('.score-value').textContent();
    expect(score).toMatch(/^\d{1,3}\.\d$/);
    expect(await report.locator('svg').count()).toBeGreaterThan(0);
    await report.locator('figure.chart svg').first().waitFor();
    await page.screenshot({ path: artifact('ui-debrief.png') });
    for (const f of ['ui-lobby.png', 'ui-console.png', 'ui-people.png', 'ui-debrief.png']) expect(existsSync(artifact(f))).toBe(true);
  });

  it('logged no console error and threw no page error anywhere', () => {
    expect(people.flatMap((p) => p.problems)).toEqual([]);
  });
});
