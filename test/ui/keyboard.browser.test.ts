/**
 * A keyboard-only response in Chromium: once the page fires, alice acknowledges (a), declares (d),
 * moves through the graph to pricing (Tab, Enter), diagnoses it (x), goes to its actions (r) and
 * requests the rollback (Enter); bob approves it from the banner (y); alice writes a status update
 * (/) and posts it with Ctrl+Enter. No mouse for any of it; the log says each step happened, by whom.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, describe, expect, it, onTestFailed } from 'vitest';
import { createDrill, fetchLog, logEvents, type CodeDrill } from '../server/harness.ts';
import { SKIP_BROWSER, person, reportProblems, startPaged, startRig, type Person, type Rig } from './browser.ts';

const notified = (page: Page, text: string | RegExp) => page.locator('.status-line', { hasText: text }).waitFor();
const focusedId = (page: Page) => page.evaluate('document.activeElement?.getAttribute("data-id") ?? ""');

describe.skipIf(SKIP_BROWSER)('a keyboard-only response in Chromium', () => {
  let rig: Rig;
  let drill: CodeDrill;
  let alice: Person;
  let bob: Person;
  let facilitator: Person;
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

  it('the facilitator starts the drill and the pricing config push pages the team', async () => {
    await startPaged(rig.server.url, drill, facilitator, [[alice, 'alice'], [bob, 'bob']], 'pricing-rules-v2');
  });

  it('alice acknowledges, declares, diagnoses pricing and requests the rollback without the mouse', async () => {
    const a = alice.page;
    await a.keyboard.press('a');
    await notified(a, 'Acknowledge: done');
    await a.keyboard.press('d');
    await notified(a, 'Declare: done');
    // Into the graph, then from service to service until pricing has the focus.
    await a.keyboard.press('g');
    for (let i = 0; i < 20 && (await focusedId(a)) !== 'pricing'; i++) await a.keyboard.press('Tab');
    expect(await focusedId(a)).toBe('pricing');
    await a.keyboard.press('Enter');
    // The console draws the selection on its next frame.
    await a.getByRole('button', { name: 'Diagnose (read logs)', disabled: false }).waitFor();
    await a.keyboard.press('x');
    await notified(a, 'Diagnose Pricing: done');
    await a.keyboard.press('r');
    expect(await a.evaluate('document.activeElement?.textContent')).toBe('Roll back Pricing');
    await a.keyboard.press('Enter');
    await notified(a, /Roll back Pricing: requested; waiting for approval/);
  });

  it('bob approves it from the banner with y, and alice posts an update with Ctrl+Enter', async () => {
    await bob.page.getByRole('region', { name: 'Waiting for approval' }).getByText('alice asks for your approval').waitFor();
    await bob.page.keyboard.press('y');
    await notified(bob.page, /Approve “Roll back Pricing”: done/);
    const a = alice.page;
    await a.keyboard.press('/');
    await a.keyboard.type('Sev 1: pricing config rolled back, recovering.');
    await a.keyboard.press('Control+Enter');
    await notified(a, 'Status update: done');
    const events = logEvents(await fetchLog(rig.server, drill.sessionId, drill.facilitatorToken));
    const did = (type: string, fields: Record<string, unknown>) => events.some((e) => e.type === type && Object.entries(fields).every(([k, v]) => e[k] === v));
    expect(did('incident.state', { to: 'acknowledged' })).toBe(true);
    expect(did('incident.state', { to: 'declared', severity: 1, by: 'alice' })).toBe(true);
    expect(did('diagnosis', { by: 'alice', target: 'pricing' })).toBe(true);
    expect(did('approval.requested', { request: 'rollback:pricing', by: 'alice' })).toBe(true);
    expect(did('approval.granted', { request: 'rollback:pricing', by: 'bob' })).toBe(true);
    expect(did('status.posted', { by: 'alice', message: 'Sev 1: pricing config rolled back, recovering.' })).toBe(true);
  });

  it('lists every shortcut, the graph arrows among them, in the ? help', async () => {
    const a = alice.page;
    // Out of the status box (shortcuts are off while typing), as Tab would take the focus away.
    await a.evaluate('document.activeElement?.blur()');
    await a.keyboard.press('?');
    const help = a.getByRole('dialog', { name: 'Keyboard shortcuts' });
    for (const text of ['Acknowledge the page', 'Declare the incident', 'Diagnose the selected service', "selected service's actions", 'Approve the request', 'Ctrl+Enter posts', 'In the graph: move between services']) {
      await help.getByText(text, { exact: false }).waitFor();
    }
    await a.keyboard.press('Escape');
    expect(people.flatMap((p) => p.problems)).toEqual([]);
  });
});
