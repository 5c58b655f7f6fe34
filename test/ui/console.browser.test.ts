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

interface Stored {
  token: string;
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
    stored = JSON.parse((await page.evaluate(`sessionStorage.getItem('sevdrill:${sessionId}')`)) as string) as Stored;
    expect(stored.token).toMatch(/\S{20,}/);
    expect(stored.responderCode).toMatch(/\S{10,}/);
    // The share links carry the same codes.
    await page.getByText('Share links').click();
    await page.getByText(`responders: ${rig.server.url}/#/join/${sessionId}?code=${stored.responderCode}`).waitFor();
    await page.getByText(`observers: ${rig.server.url}/#/join/${sessionId}?code=${stored.observerCode}`).waitFor();
    await page.getByText('Share links').click();
    await page.locator('.clock', { hasText: '60×' }).waitFor();
    expect(await page.getByRole('combobox', { name: 'Speed' }).inputValue()).toBe('60');
  });

  it('lets responders and an observer join by code', async () => {
    await joinDrill(alice, rig.server.url, sessionId, stored.responderCode, 'alice');
    await joinDrill(bob, rig.server.url, sessionId, stored.responderCode, 'bob');
    await joinDrill(observer, rig.server.url, sessionId, stored.observerCode, 'olga');
    await alice.page.getByText('responder: alice').waitFor();
    await observer.page.getByText('observer: olga').waitFor();
    // Before the start nobody can act.
    expect(await alice.page.getByRole('button', { name: 'Acknowledge page' }).isDisabled()).toBe(true);
  });

  it('starts the drill and injects the pricing fault from the controls', async () => {
    const { page } = facilitator;
    await page.getByRole('button', { name: 'Start', exact: true }).click();
    await notified(page, 'Start: done');
    await page.getByRole('combobox', { name: 'Fault to inject' }).selectOption('pricing-rules-v2');
    await page.getByRole('button', { name: 'Inject', exact: true }).click();
    await notified(page, 'Inject: done');
    await page.getByRole('region', { name: 'Timeline' }).getByText('fault pricing-rules-v2 started on pricing').waitFor();
  });

  it('shows the responders the cascade: pricing down and a firing page', async () => {
    for (const p of [alice, bob, observer]) {
      await p.page.getByRole('button', { name: /^Pricing: down/ }).waitFor();
      await p.page.getByRole('list', { name: 'Alerts' }).getByRole('listitem').filter({ hasText: /FIRING · page/ }).first().waitFor();
    }
    await alice.page.getByRole('button', { name: 'Acknowledge page', disabled: false }).waitFor();
    // Let a frame render the alert list before the picture.
    await alice.page.evaluate('new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)))');
    await alice.page.screenshot({ path: artifact('ui-console.png') });
    expect(await alice.page.evaluate('document.documentElement.scrollHeight')).toBeLessThanOrEqual(900);
    expect(await alice.page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(1440);
    expect(await facilitator.page.evaluate('document.documentElement.scrollHeight')).toBeLessThanOrEqual(900);
    // The fault is the facilitator's secret: no responder timeline names it.
    expect(await alice.page.getByRole('region', { name: 'Timeline' }).getByText(/fault /).count()).toBe(0);
  });

  it('keeps the observer from acting, in the page and on the wire', async () => {
    const { page } = observer;
    const buttons = await Promise.all(
      BUTTON_REGIONS.map((name) => page.getByRole('region', { name }).getByRole('button').evaluateAll((bs) => bs.map((b) => ({ text: b.textContent, disabled: (b as { disabled: boolean }).disabled })))),
    );
    const all = buttons.flat();
    expect(all.map((b) => b.text)).toContain('Acknowledge page');
    expect(all.map((b) => b.text)).toContain('rollback pricing');
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
    await a.getByRole('button', { name: 'Take IC' }).click();
    await notified(a, 'Take ic: done');
    await a.getByRole('combobox', { name: 'Severity' }).selectOption('1');
    await a.getByRole('button', { name: 'Declare / change severity' }).click();
    await notified(a, 'Declare: done');
    for (const p of [alice, bob, observer]) {
      await incidentState(p.page).filter({ hasText: /^declared · Sev 1/ }).waitFor();
      await p.page.getByText('IC: alice').waitFor();
    }

    await a.getByRole('button', { name: 'rollback pricing', exact: true }).click();
    await notified(a, 'rollback pricing: done');
    // The requester cannot approve their own change; another responder can.
    await a.getByRole('button', { name: 'Approve rollback:pricing' }).waitFor();
    expect(await a.getByRole('button', { name: 'Approve rollback:pricing' }).isDisabled()).toBe(true);
    expect(await observer.page.getByRole('button', { name: 'Approve rollback:pricing' }).isDisabled()).toBe(true);
    const approve = bob.page.getByRole('button', { name: 'Approve rollback:pricing', disabled: false });
    await approve.click();
    await notified(bob.page, 'Approve rollback:pricing: done');
    await bob.page.getByRole('button', { name: 'Approve rollback:pricing' }).waitFor({ state: 'detached' });
    await alice.page.getByRole('button', { name: 'Approve rollback:pricing' }).waitFor({ state: 'detached' });
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
    expect(await badge(page).textContent()).toBe('live');
    await page.getByRole('link', { name: 'Open the debrief' }).click();
    await page.waitForURL(new RegExp(`#/debrief/${sessionId}$`));
    const report = page.frameLocator('iframe[title="After-action report"]');
    const score = await report.locator('.score-value').textContent();
    expect(score).toMatch(/^\d{1,3}\.\d$/);
    expect(await report.locator('svg').count()).toBeGreaterThan(0);
    await report.locator('figure.chart svg').first().waitFor();
    await page.screenshot({ path: artifact('ui-debrief.png') });
    for (const f of ['ui-lobby.png', 'ui-console.png', 'ui-debrief.png']) expect(existsSync(artifact(f))).toBe(true);
  });

  it('logged no console error and threw no page error anywhere', () => {
    expect(people.flatMap((p) => p.problems)).toEqual([]);
  });
});
