/**
 * Approvals that cannot be missed, and a timeline in plain sentences, in Chromium. Two responders on
 * retail-sev1: bob asks to roll pricing back (it needs a second person). alice gets a banner across
 * the top with who asked, what the action does, Approve and Deny, and the tab's title changes; bob
 * gets "waiting for approval by another responder" with the elapsed time and no Approve or Deny
 * anywhere on his page; the facilitator sees it read-only. alice approves from the banner, then a
 * second request with the `y` shortcut. The timeline tells each fact once and shows a status update
 * whole on click or Enter. Screenshots at 1440×900 and 1280×720 go to artifacts/.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, describe, expect, it, onTestFailed } from 'vitest';
import { createDrill, type CodeDrill } from '../server/harness.ts';
import { SKIP_BROWSER, artifact, person, reportProblems, startPaged, startRig, type Person, type Rig } from './browser.ts';

const MARK = '⚠ Approval needed — ';
const LONG_UPDATE =
  'Checkout and the product pages are failing for most shoppers since about ten minutes in. Pricing is down and its callers are timing out. ' +
  'We suspect the pricing-rules config pushed just before; a rollback is being requested now. Next update in fifteen minutes, or sooner if it lands.';

const notified = (page: Page, text: string | RegExp) => page.locator('.status-line', { hasText: text }).waitFor();
const banner = (page: Page) => page.getByRole('region', { name: 'Waiting for approval' });
const timelineLines = (page: Page) => page.getByRole('region', { name: 'Timeline' }).locator('li');
/** How many timeline lines say `text`. */
const linesSaying = (page: Page, text: string | RegExp) => timelineLines(page).filter({ hasText: text }).count();
/** Waits until the tab's title does (or does not) say an approval waits. */
const titled = (page: Page, marked: boolean) => page.waitForFunction(`document.title.startsWith(${JSON.stringify(MARK)}) === ${marked}`);
const settle = (page: Page) => page.evaluate('new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)))');

describe.skipIf(SKIP_BROWSER)('the approval banner and the timeline in Chromium', () => {
  let rig: Rig;
  let drill: CodeDrill;
  let facilitator: Person;
  let alice: Person;
  let bob: Person;
  let people: Person[] = [];

  beforeAll(async () => {
    rig = await startRig();
    drill = await createDrill(rig.server, { scenarioId: 'retail-sev1', speed: 30 });
    facilitator = await person(rig.browser, 'facilitator');
    alice = await person(rig.browser, 'alice');
    bob = await person(rig.browser, 'bob');
    people = [facilitator, alice, bob];
  });

  afterAll(async () => {
    await rig?.close();
  });

  beforeEach(() => onTestFailed(() => reportProblems(people)));

  it('starts the drill with two responders; the page fires', async () => {
    await startPaged(rig.server.url, drill, facilitator, [[alice, 'alice'], [bob, 'bob']], 'pricing-rules-v2');
    // Nothing waits for anyone yet: no banner, the plain title.
    expect(await banner(alice.page).count()).toBe(0);
    expect(await alice.page.title()).not.toContain(MARK);
  });

  it('tells each of alice\'s commands once on the timeline', async () => {
    const a = alice.page;
    await a.getByRole('button', { name: 'Acknowledge page' }).click();
    await notified(a, 'Acknowledge: done');
    await a.getByRole('combobox', { name: 'Severity' }).selectOption('1');
    await a.getByRole('button', { name: 'Declare / change severity' }).click();
    await notified(a, 'Declare: done');
    await a.getByRole('button', { name: 'Take IC' }).click();
    await notified(a, 'Take ic: done');
    for (const p of [alice, bob]) {
      await timelineLines(p.page).filter({ hasText: 'alice took the ic role.' }).waitFor();
      // "alice declared Sev 1." and "Incident declared, Sev 1 (by alice)." are one fact: one line.
      expect(await linesSaying(p.page, /declared,? Sev 1/)).toBe(1);
      expect(await linesSaying(p.page, 'Incident declared, Sev 1 (by alice).')).toBe(1);
      // Acknowledging: the command names who; the bare "Incident acknowledged" goes.
      expect(await linesSaying(p.page, /acknowledged/)).toBe(1);
      expect(await linesSaying(p.page, 'alice acknowledged the page.')).toBe(1);
      expect(await linesSaying(p.page, /took the ic role/)).toBe(1);
    }
  });

  it('shows a status update whole on click and on Enter', async () => {
    const b = bob.page;
    await b.getByRole('textbox', { name: 'Status update' }).fill(LONG_UPDATE);
    await b.getByRole('button', { name: 'Post status update' }).click();
    await notified(b, 'Status update: done');
    const a = alice.page;
    const line = timelineLines(a).filter({ hasText: 'bob posted a status update' });
    await line.waitFor();
    expect(await line.count()).toBe(1);
    const isOpen = () => line.evaluate((li) => li.classList.contains('expanded'));
    expect(await isOpen()).toBe(false);
    // One row, clipped: the end of the update is not in it.
    expect(await line.textContent()).not.toContain('or sooner if it lands');
    await line.click();
    await line.getByText('or sooner if it lands.', { exact: false }).waitFor();
    // A tick may redraw the timeline between the click and this read (the drill runs at 60×).
    await expect.poll(isOpen).toBe(true);
    const box = await line.boundingBox();
    expect(box?.height).toBeGreaterThan(30);
    await settle(a);
    await a.screenshot({ path: artifact('ui-timeline-expanded-1440.png') });
    // The keyboard: the lines are one tab stop; Enter folds a line and shows it again; the arrows move.
    expect(await line.getAttribute('tabindex')).toBe('0');
    expect(await timelineLines(a).and(a.locator('[tabindex="0"]')).count()).toBe(1);
    await line.focus();
    await a.keyboard.press('Enter');
    await expect.poll(isOpen).toBe(false);
    await a.keyboard.press(' ');
    await expect.poll(isOpen).toBe(true);
    await a.keyboard.press('Home');
    expect(await a.evaluate('document.activeElement === document.querySelector(".timeline li")')).toBe(true);
    await a.keyboard.press('ArrowDown');
    expect(await a.evaluate('document.activeElement === document.querySelectorAll(".timeline li")[1]')).toBe(true);
    // `t` comes back to the line the keyboard was on.
    await a.locator('body').focus();
    await a.keyboard.press('t');
    expect(await a.evaluate('document.activeElement === document.querySelectorAll(".timeline li")[1]')).toBe(true);
    // The text filter: only lines that say "bob".
    await a.getByRole('searchbox', { name: 'Show only lines containing' }).fill('bob');
    const shown = await timelineLines(a).allTextContents();
    expect(shown.length).toBeGreaterThan(0);
    for (const text of shown) expect(text.toLowerCase()).toContain('bob');
    await a.getByRole('searchbox', { name: 'Show only lines containing' }).fill('');
  });

  it('puts bob\'s request in a banner for alice, and only a wait for bob', async () => {
    const b = bob.page;
    await b.getByRole('region', { name: 'Actions' }).getByRole('button', { name: 'Roll back Pricing', exact: true }).click();
    await notified(b, 'Roll back Pricing: requested; waiting for approval by another responder');

    const a = alice.page;
    const item = banner(a).getByRole('listitem');
    await item.getByText('bob asks for your approval:', { exact: false }).waitFor();
    await item.getByText('“Roll back Pricing” — Roll back the latest pricing-rules config.', { exact: false }).waitFor();
    await item.getByRole('button', { name: 'Approve “Roll back Pricing”' }).waitFor();
    await item.getByRole('button', { name: 'Deny “Roll back Pricing”' }).waitFor();
    await titled(a, true);
    expect(await banner(a).getAttribute('aria-live')).toBeNull();
    expect(await banner(a).locator('[aria-live]').count()).toBe(1);
    // The console's only live regions: the pager's alerts and the banner (the status line, role=status,
    // speaks only the outcome of this person's own action).
    const live = await a.evaluate("[...document.querySelectorAll('[aria-live]')].map((e) => e.outerHTML.slice(0, 80))");
    expect(live, JSON.stringify(live)).toHaveLength(2);
    expect(await a.getByRole('list', { name: 'Alerts' }).getAttribute('aria-live')).toBe('polite');
    expect(await a.locator('[role=status], [role=alert], [role=log]').count()).toBe(1);

    // bob: the wait and how long it has lasted; no Approve or Deny anywhere on his page.
    await banner(b).getByText(/waiting for approval by another responder \(\d+:\d\d\)/).waitFor();
    await b.getByRole('region', { name: 'Actions' }).getByText('waiting for approval by another responder').waitFor();
    expect(await b.getByRole('button', { name: /^(Approve|Deny)\b/ }).count()).toBe(0);
    expect(await b.title()).not.toContain(MARK);

    // The facilitator watches it, read-only.
    await banner(facilitator.page).getByText('bob asks for approval:', { exact: false }).waitFor();
    expect(await banner(facilitator.page).getByRole('button').count()).toBe(0);

    // On the timeline, bob's request is one line.
    await timelineLines(a).filter({ hasText: "bob's request to roll back Pricing is waiting for a second approver." }).waitFor();
    expect(await linesSaying(a, /roll back Pricing is waiting|ran “Roll back Pricing”/)).toBe(1);

    for (const size of [
      { width: 1440, height: 900 },
      { width: 1280, height: 720 },
    ]) {
      for (const p of [alice, bob]) {
        await p.page.setViewportSize(size);
        await settle(p.page);
        await p.page.screenshot({ path: artifact(`ui-approval-banner-${p.label}-${size.width}.png`) });
        // The banner takes room from the panes, never a scrollbar from the page.
        expect(await p.page.evaluate('document.documentElement.scrollHeight')).toBeLessThanOrEqual(size.height);
      }
    }
    for (const p of [alice, bob]) await p.page.setViewportSize({ width: 1440, height: 900 });
  });

  it('lets alice approve from the banner; it goes away for both', async () => {
    const a = alice.page;
    await banner(a).getByRole('button', { name: 'Approve “Roll back Pricing”' }).click();
    await notified(a, 'Approve “Roll back Pricing”: done');
    await banner(a).waitFor({ state: 'hidden' });
    await banner(bob.page).waitFor({ state: 'hidden' });
    await titled(a, false);
    expect(await a.title()).toBe(await bob.page.title());
    await timelineLines(a).filter({ hasText: "alice approved bob's request to roll back Pricing." }).waitFor();
    expect(await linesSaying(a, /approved.*roll back Pricing/i)).toBe(1);
  });

  it('approves a second request with the y shortcut; a refused self-approval is one line', async () => {
    const b = bob.page;
    await b.getByRole('region', { name: 'Actions' }).getByRole('button', { name: 'Fail Pricing over', exact: true }).click();
    await notified(b, 'Fail Pricing over: requested');
    // bob forces an approval of his own request over his socket: refused, and logged once.
    const forced = await b.evaluate(`new Promise((resolve) => {
      const ws = window.__sockets.at(-1);
      ws.addEventListener('message', (event) => {
        const m = JSON.parse(event.data);
        if (m.clientActionId === 'self-approve') resolve(m);
      });
      ws.send(JSON.stringify({ type: 'action', clientActionId: 'self-approve', action: 'approve', params: { request: 'failover:pricing' } }));
    })`);
    expect(forced).toMatchObject({ type: 'error', code: 'self-approval' });
    const a = alice.page;
    await banner(a).getByRole('button', { name: 'Approve “Fail Pricing over”' }).waitFor();
    await timelineLines(a).filter({ hasText: 'bob tried to approve “Fail Pricing over”: rejected with self-approval' }).waitFor();
    expect(await linesSaying(a, 'bob tried to approve “Fail Pricing over”')).toBe(1);
    // The shortcut is listed in the help.
    await a.locator('body').focus();
    await a.keyboard.press('?');
    await a.getByRole('dialog', { name: 'Keyboard shortcuts' }).getByText('Approve the request in the approval banner').waitFor();
    await a.keyboard.press('Escape');
    await a.getByRole('dialog', { name: 'Keyboard shortcuts' }).waitFor({ state: 'hidden' });
    await a.keyboard.press('y');
    await notified(a, 'Approve “Fail Pricing over”: done');
    await banner(a).waitFor({ state: 'hidden' });
    await banner(b).waitFor({ state: 'hidden' });
    // With nothing waiting, `y` says so.
    await a.keyboard.press('y');
    await notified(a, 'Approve: nothing is waiting for your approval');
  });

  it('logged no console error and threw no page error', () => {
    expect(people.flatMap((p) => p.problems)).toEqual([]);
  });
});
