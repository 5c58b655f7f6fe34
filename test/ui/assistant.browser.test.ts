/**
 * The assistant and the change window in Chromium, with two responders: bob asks the assistant how
 * to apply the regional rounding rule, gets an answer citing the stale "Pricing rules FAQ" and
 * proposes its change; he is offered no review of his own change (and the server refuses one forced
 * over his socket); alice checks the cited page's history beside the change, sees that the pricing
 * move came after the page's last edit, and denies it with a reason. The facilitator sees the
 * pages' staleness, the question and what each change starts. Screenshots at 1440×900 and 1280×720
 * go to artifacts/. No page may log a console error.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, describe, expect, it, onTestFailed } from 'vitest';
import { fetchLog, logEvents } from '../server/harness.ts';
import { SKIP_BROWSER, artifact, joinDrill, person, reportProblems, startRig, waitLive, type Person, type Rig } from './browser.ts';


const QUESTION = 'How do I apply the regional rounding rule to pricing before the sale?';
const CHANGE = 'regional-rounding-v2';
const SIZES = [
  { width: 1440, height: 900 },
  { width: 1280, height: 720 },
] as const;

const notified = (page: Page, text: string | RegExp) => page.locator('.status-line', { hasText: text }).waitFor();
const changes = (page: Page) => page.getByRole('region', { name: 'Changes' });
const changeCard = (page: Page) => changes(page).locator('li.change-card').filter({ hasText: CHANGE });
/** Lets the console draw what it has just received before a picture or a measurement. */
const settle = (page: Page) => page.evaluate('new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)))');

describe.skipIf(SKIP_BROWSER)('asking the assistant and reviewing a change in Chromium', () => {
  let rig: Rig;
  let facilitator: Person;
  let alice: Person;
  let bob: Person;
  let people: Person[] = [];
  let sessionId = '';
  let token = '';

  beforeAll(async () => {
    rig = await startRig();
    facilitator = await person(rig.browser, 'facilitator');
    alice = await person(rig.browser, 'alice');
    bob = await person(rig.browser, 'bob');
    people = [facilitator, alice, bob];
  });

  afterAll(async () => {
    await rig?.close();
  });

  beforeEach(() => onTestFailed(() => reportProblems(people)));

  it('creates a retail-change-window drill from the lobby with controlled friction on', async () => {
    const { page } = facilitator;
    await page.goto(`${rig.server.url}/#/`);
    const form = page.getByRole('form', { name: /^Create a Change window/ });
    await form.waitFor();
    const friction = form.getByRole('combobox', { name: 'Controlled friction' });
    // The scenario's own policy is the default, named once the scenario's details arrive.
    await friction.locator('option', { hasText: "on (scenario's default)" }).waitFor({ state: 'attached' });
    expect(await friction.inputValue()).toBe('');
    await page.screenshot({ path: artifact('ui-assistant-lobby.png') });
    await friction.selectOption('on');
    await form.getByLabel('Speed').fill('30');
    const created = page.waitForRequest((r) => r.url().endsWith('/api/sessions') && r.method() === 'POST');
    await form.getByRole('button', { name: 'Create drill' }).click();
    expect((await created).postDataJSON()).toMatchObject({ scenarioId: 'retail-change-window', controlledFriction: 'on', speed: 30 });
    await page.waitForURL(/#\/drill\/[^/?]+$/);
    sessionId = new URL(page.url()).hash.replace('#/drill/', '');
    await waitLive(page);
    token = (JSON.parse((await page.evaluate(`localStorage.getItem('sevdrill:drill:${sessionId}')`)) as string) as { facilitatorToken: string }).facilitatorToken;
    await page.getByText('People & links').click();
    const responders = await page.getByRole('textbox', { name: 'Responders', exact: true }).inputValue();
    await page.getByText('People & links').click();
    const code = new URLSearchParams(responders.split('?')[1]).get('code') as string;
    await joinDrill(alice, rig.server.url, sessionId, code, 'alice');
    await joinDrill(bob, rig.server.url, sessionId, code, 'bob');
    await page.getByRole('button', { name: 'Start', exact: true }).click();
    await notified(page, 'Start: done');
  });

  it('opens on the assistant and the changes, with the task and its countdown', async () => {
    for (const p of [alice, bob]) {
      await p.page.getByRole('textbox', { name: 'Question for the assistant' }).waitFor();
      const task = changes(p.page).getByRole('group', { name: 'Task' });
      await task.getByText('Task: Apply the regional rounding rule to pricing before the sale').waitFor();
      await task.getByText(/^due at 00:20:00, in \d+:\d\d$/).waitFor();
      await changes(p.page).getByText('Controlled friction on', { exact: false }).waitFor();
    }
  });

  it('answers bob with a citation marked unverified, and lets him propose its change', async () => {
    const { page } = bob;
    const box = page.getByRole('textbox', { name: 'Question for the assistant' });
    await box.fill(QUESTION);
    await box.press('Enter');
    const answers = page.getByRole('list', { name: 'Answers' });
    const answer = answers.locator('li.answer').first();
    await answer.locator('q', { hasText: QUESTION }).waitFor();
    await expect(box.inputValue()).resolves.toBe('');
    expect(await answer.locator('.badge.unverified').textContent()).toBe('unverified');
    expect(await answer.locator('.citation').textContent()).toBe('Source: Pricing rules FAQ, last edited 2023-11 · whole answer');
    await answer.locator('.answer-head', { hasText: /^unverified bob asked: / }).waitFor();
    // Everyone sees the answer.
    await alice.page.getByRole('list', { name: 'Answers' }).locator('q', { hasText: QUESTION }).waitFor();
    await answer.getByRole('button', { name: 'Propose this change' }).click();
    await notified(page, `Proposed ${CHANGE}`);
    await answer.getByRole('button', { name: 'Proposed: waiting for review' }).waitFor();
  });

  it('offers bob no review of his own change, and the server refuses one forced over his socket', async () => {
    const card = changeCard(bob.page);
    await card.getByText('waiting for review', { exact: true }).waitFor();
    await card.getByText(/^waiting for review by another responder \(elapsed \d+:\d\d\)$/).waitFor();
    await card.getByText(/^proposed by bob at/).waitFor();
    expect(await changes(bob.page).getByRole('button', { name: /^Approve/ }).count()).toBe(0);
    expect(await changes(bob.page).getByRole('button', { name: /^Deny/ }).count()).toBe(0);
    const forced = await bob.page.evaluate(`new Promise((resolve) => {
      const ws = window.__sockets.at(-1);
      ws.addEventListener('message', (event) => {
        const m = JSON.parse(event.data);
        if (m.clientActionId === 'self-review') resolve(m);
      });
      ws.send(JSON.stringify({ type: 'action', clientActionId: 'self-review', action: 'review-change', params: { change: '${CHANGE}', verdict: 'approve' } }));
    })`);
    expect(forced).toMatchObject({ type: 'error', clientActionId: 'self-review', code: 'self-review' });
    // The banner across the top: bob waits; alice is asked, with a way to the Changes tab.
    const banner = (page: Page) => page.getByRole('region', { name: 'Waiting for approval' });
    await banner(bob.page).getByText(/^Your change:/).waitFor();
    await banner(bob.page).getByText(/waiting for review by another responder \(\d+:\d\d\)/).waitFor();
    expect(await banner(bob.page).getByRole('button').count()).toBe(0);
    await banner(alice.page).getByText(`bob asks for your review: the change ${CHANGE} to pricing`, { exact: false }).waitFor();
    await alice.page.getByRole('tab', { name: /^Actions/ }).click();
    await banner(alice.page).getByRole('button', { name: 'Review in Changes' }).click();
    await changeCard(alice.page).waitFor();
    expect(await alice.page.title()).toMatch(/^⚠ Approval needed — /);
  });

  it('lets alice check the cited page beside the change, and deny it with a reason', async () => {
    const { page } = alice;
    const card = changeCard(page);
    await card.getByText(/^waiting for review \(elapsed \d+:\d\d\)$/).waitFor();
    await card.getByText('Cites: Pricing rules FAQ, last edited 2023-11').waitFor();
    await card.getByRole('button', { name: `Approve change ${CHANGE}` }).waitFor();
    await card.getByRole('button', { name: `History of the source of change ${CHANGE}` }).click();
    await card.getByText(/^Changed since: 2025-06 .*regional rules engine/).waitFor();
    await card.getByRole('button', { name: `Open source of change ${CHANGE}` }).click();
    await card.getByRole('article', { name: 'Wiki page: Pricing rules FAQ' }).waitFor();
    // Only the reader sees the page: bob's card shows no history.
    expect(await changeCard(bob.page).getByText(/^Changed since:/).count()).toBe(0);
    await settle(page);
    await page.screenshot({ path: artifact('ui-assistant-review-1440.png') });
    await card.getByRole('textbox', { name: `Reason for your review of ${CHANGE}` }).fill('The FAQ predates the 2025-06 move to the regional rules engine');
    await card.getByRole('button', { name: `Deny change ${CHANGE}` }).click();
    await notified(page, `Deny ${CHANGE}: done`);
    for (const p of [alice, bob]) {
      await changeCard(p.page).locator('.chip', { hasText: 'denied' }).waitFor();
      await changeCard(p.page).getByText('denied by alice: “The FAQ predates the 2025-06 move to the regional rules engine”').waitFor();
    }
    await bob.page.getByRole('list', { name: 'Answers' }).getByRole('button', { name: 'Proposed: denied' }).waitFor();
  });

  it('shows the facilitator the staleness, the question and what each change starts', async () => {
    const { page } = facilitator;
    await page.getByText('Wiki & changes').click();
    const pages = page.getByRole('table', { name: 'Wiki pages and their staleness' });
    await pages.getByRole('row').filter({ hasText: 'Pricing rules FAQ' }).filter({ hasText: /stale: / }).waitFor();
    await page.getByRole('list', { name: 'Questions asked' }).getByText(`bob: “${QUESTION}” → cites “Pricing rules FAQ” (stale) · proposes ${CHANGE}`, { exact: false }).waitFor();
    const starts = page.getByRole('list', { name: 'What each change starts' });
    await starts.getByRole('listitem').filter({ hasText: `${CHANGE}: its deploy starts the fault pricing-rules-v2` }).filter({ hasText: 'the on-call pushes it alone at the deadline (00:20:00)' }).filter({ hasText: 'denied' }).waitFor();
    await starts.getByRole('listitem').filter({ hasText: 'regional-rounding-engine: safe' }).waitFor();
  });

  it('fits both consoles and the facilitator on one screen at 1440×900 and 1280×720', async () => {
    for (const size of SIZES) {
      for (const p of [alice, bob, facilitator]) {
        await p.page.setViewportSize(size);
        await settle(p.page);
        await p.page.screenshot({ path: artifact(`ui-assistant-${p.label}-${size.width}.png`) });
        expect(await p.page.evaluate('document.documentElement.scrollHeight')).toBeLessThanOrEqual(size.height);
        expect(await p.page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(size.width);
      }
    }
  });

  it('replays the drill with the answers and the changes, read-only', async () => {
    const { page } = facilitator;
    await page.getByRole('button', { name: 'End', exact: true }).click();
    await notified(page, 'End: done');
    await page.goto(`${rig.server.url}/#/replay/${sessionId}`);
    await page.getByRole('slider', { name: 'Simulated time' }).waitFor();
    // To the end of the drill.
    await page.evaluate(`(() => { const s = document.getElementById('replay-time'); s.value = s.max; s.dispatchEvent(new Event('input')); })()`);
    // A drill with a change window replays on its changes.
    const card = changeCard(page);
    await card.locator('.chip', { hasText: 'denied' }).waitFor();
    expect(await changes(page).getByRole('button', { name: /^(Approve|Deny)/ }).count()).toBe(0);
    await page.getByRole('tab', { name: /^Ask the assistant/ }).click();
    await page.getByRole('list', { name: 'Answers' }).locator('q', { hasText: QUESTION }).waitFor();
    expect(await page.getByRole('button', { name: /^Proposed: denied/ }).isDisabled()).toBe(true);
    await page.screenshot({ path: artifact('ui-assistant-replay.png') });
  });

  it('logs the proposal, alice checking the history and her denial', async () => {
    const events = logEvents(await fetchLog(rig.server, sessionId, token));
    expect(events).toContainEqual(expect.objectContaining({ type: 'assistant.answered', by: 'bob', question: QUESTION, page: 'pricing-rules-faq' }));
    expect(events).toContainEqual(expect.objectContaining({ type: 'change.proposed', change: CHANGE, by: 'bob', page: 'pricing-rules-faq', review: true }));
    expect(events).toContainEqual(expect.objectContaining({ type: 'page.history', by: 'alice', page: 'pricing-rules-faq' }));
    expect(events).toContainEqual(expect.objectContaining({ type: 'change.denied', change: CHANGE, by: 'alice', requestedBy: 'bob' }));
    expect(events.filter((e) => e.type === 'change.deployed' && e.change === CHANGE)).toEqual([]);
  });

  it('logged no console error and threw no page error anywhere', () => {
    expect(people.flatMap((p) => p.problems)).toEqual([]);
  });
});
