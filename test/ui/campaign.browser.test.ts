/**
 * A week of Sev 1s in Chromium: a facilitator plans a campaign in the lobby (adds three scenarios,
 * moves one, removes it, gives the first drill its own seed and the second a difficulty), lands on the
 * campaign page, which shows each drill's seed and the difficulty it was asked for, runs both
 * drills from it (Start and End in each drill's console, a responder acknowledging and declaring
 * over the protocol, late in the first drill and at once in the second), and the campaign page
 * then shows both scores, the availability, the score trend and the response times side by side,
 * the second drill's acknowledgement marked faster. An unknown campaign says so, with a way back.
 * Screenshots at 1440×900 and 1280×720 go to artifacts/.
 */
import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, describe, expect, it, onTestFailed } from 'vitest';
import type { CreateCampaignResponse } from '../../engine/protocol/messages.ts';
import type { Explorer } from '../../engine/server/difficulty-cache.ts';
import { TestClient, get } from '../server/harness.ts';
import { SKIP_BROWSER, artifact, person, reportProblems, startRig, waitLive, type Person, type Rig } from './browser.ts';

const SMALL = { width: 1280, height: 720 };
/** The ratings a stand-in explore gives seeds 1…6 of every scenario: seeds 3 and 6 are the hard ones. */
const RATINGS = ['easy', 'typical', 'hard', 'typical', 'easy', 'hard'] as const;
const ratingOf = (seed: number) => RATINGS[(seed - 1) % RATINGS.length] as (typeof RATINGS)[number];
const explorer: Explorer = async (options) => ({
  perSeed: Array.from({ length: options.count }, (_, i) => ({ seed: options.fromSeed + i, rating: ratingOf(options.fromSeed + i), difficulty: 50 })) as never,
});

/** Both sizes of one screen, from the same page (its localStorage holds the drills' tokens); `subject` is kept in view at both. */
async function screenshots(page: Page, name: string, subject?: Locator): Promise<void> {
  await page.screenshot({ path: artifact(`ui-campaign-${name}-1440.png`) });
  await page.setViewportSize(SMALL);
  await subject?.scrollIntoViewIfNeeded();
  await page.screenshot({ path: artifact(`ui-campaign-${name}-1280.png`) });
  await page.setViewportSize({ width: 1440, height: 900 });
}

describe.skipIf(SKIP_BROWSER)('a campaign in the browser', () => {
  let rig: Rig;
  let facilitator: Person;
  let created: CreateCampaignResponse;

  beforeAll(async () => {
    rig = await startRig({ difficulty: { seeds: RATINGS.length, workers: 1 } }, { explorer });
    facilitator = await person(rig.browser, 'facilitator');
  });
  afterAll(async () => {
    await rig?.close();
  });
  beforeEach(() => onTestFailed(() => reportProblems([facilitator])));

  it('plans a week in the lobby: an ordered list of scenarios, each with its seed or difficulty, and one speed', async () => {
    const { page } = facilitator;
    await page.goto(`${rig.server.url}/#/`);
    const form = page.getByRole('form', { name: 'New campaign' });
    await form.waitFor();
    // Below the scenario cards; the lobby's first line leads there.
    await page.getByRole('button', { name: 'Plan a week of drills' }).click();
    await expect(page.evaluate('document.activeElement.id')).resolves.toBe('campaign-team');
    await form.getByLabel('Team').fill('night shift');
    await form.getByLabel('Name', { exact: true }).fill('Game week 1');
    await form.getByLabel('Speed').fill('60');
    for (const id of ['retail-sev1', 'auth-cert-expiry', 'checkout-retry-storm']) {
      await form.getByLabel('Scenario to add').selectOption(id);
      await form.getByRole('button', { name: 'Add drill' }).click();
    }
    const rows = form.getByRole('list', { name: 'Drills of the week' }).getByRole('listitem');
    // Reordered, then removed: the list keeps the order the facilitator left it in.
    await form.getByRole('button', { name: /^Move drill 3 \(Checkout retry storm.*\) earlier$/ }).click();
    expect(await rows.locator('.title').allTextContents()).toEqual([expect.stringMatching(/^Retail Sev 1/), expect.stringMatching(/^Checkout retry storm/), expect.stringMatching(/^Auth certificate/)]);
    await form.getByRole('button', { name: /^Remove drill 3 / }).click();
    expect(await rows.count()).toBe(2);
    await rows.nth(0).getByLabel('Seed number').fill('11');
    // The second drill by difficulty, once the server has rated its seeds (the lobby asks again until then).
    await expect.poll(() => rows.nth(1).getByLabel('Difficulty level').isEnabled(), { timeout: 30_000 }).toBe(true);
    await rows.nth(1).getByLabel('Difficulty level').selectOption('hard');
    await expect(rows.nth(1).getByRole('radio', { name: 'Difficulty' }).isChecked()).resolves.toBe(true);
    await screenshots(page, 'lobby', form);

    const response = page.waitForResponse((r) => r.url().endsWith('/api/campaigns') && r.request().method() === 'POST');
    await form.getByRole('button', { name: 'Create campaign' }).click();
    created = (await (await response).json()) as CreateCampaignResponse;
    // A hard seed of the stand-in ratings (which one is the server's turn to hand out).
    expect(created.drills.map((d) => [d.scenarioId, d.seed, d.difficulty])).toEqual([
      ['retail-sev1', 11, null],
      ['checkout-retry-storm', expect.any(Number), 'hard'],
    ]);
    const hardSeed = created.drills[1]?.seed ?? 0;
    expect(ratingOf(hardSeed)).toBe('hard');
    await page.waitForURL(new RegExp(`#/campaign/${created.campaignId}$`));
    await page.getByRole('heading', { name: 'Game week 1' }).waitFor();
    const drills = page.getByRole('table', { name: 'The drills, in order' });
    await expect(drills.locator('tbody tr').count()).resolves.toBe(2);
    expect(await drills.locator('td.state').allTextContents()).toEqual(['ready', 'ready']);
    expect(await drills.locator('td.seed').allTextContents()).toEqual(['11', `${hardSeed} · hard`]);
    // This browser created it: it holds each drill's facilitator token, and so a way into each console.
    for (const n of [1, 2]) await page.getByRole('link', { name: `Open the console of drill ${n}` }).waitFor();
    await screenshots(page, 'ready');
  });

  it('runs both drills from the campaign page: Start, a responder acknowledges and declares, End', async () => {
    const { page } = facilitator;
    page.on('dialog', (dialog) => void dialog.accept());
    for (const [i, drill] of created.drills.entries()) {
      await page.getByRole('link', { name: `Open the console of drill ${i + 1}` }).click();
      await page.waitForURL(new RegExp(`#/drill/${drill.sessionId}$`));
      await waitLive(page);
      const responder = await TestClient.join(rig.server.url, { sessionId: drill.sessionId, code: drill.responderCode, name: 'ann' });
      await page.getByRole('button', { name: 'Start', exact: true }).click();
      const paged = await responder.waitForEvent('alert.firing', { severity: 'page' }, 60_000);
      // The first drill is answered ten simulated minutes late, past its objective; the second at once: the team got faster.
      const pagedAt = (paged.events as { type: string; t: number }[]).find((e) => e.type === 'alert.firing')?.t ?? 0;
      if (i === 0) await responder.waitForNow(pagedAt + 600_000, 30_000);
      responder.send({ type: 'action', clientActionId: 'ack', action: 'ack' });
      responder.send({ type: 'action', clientActionId: 'declare', action: 'declare', params: { severity: 1 } });
      expect(await responder.reply('declare')).toMatchObject({ type: 'ack' });
      await page.getByRole('button', { name: 'End', exact: true }).click();
      await expect.poll(async () => ((await get(rig.server, `/api/sessions/${drill.sessionId}`)).json as { phase: string }).phase, { timeout: 15_000 }).toBe('ended');
      responder.close();
      await page.goto(`${rig.server.url}/#/campaign/${created.campaignId}`);
      await page.getByRole('heading', { name: 'Game week 1' }).waitFor();
    }
  }, 180_000);

  it('shows both scores, the availability, the score trend and the response times side by side', async () => {
    const { page } = facilitator;
    const drills = page.getByRole('table', { name: 'The drills, in order' });
    // The page asks again while a drill waits for its score.
    await expect.poll(async () => drills.locator('td.state').allTextContents(), { timeout: 20_000 }).toEqual(['ended', 'ended']);
    const view = (await get(rig.server, `/api/campaigns/${created.campaignId}`)).json as { drills: { score: number }[]; availability: { availability: number } };
    expect(await drills.locator('td.score').allTextContents()).toEqual(view.drills.map((d) => String(d.score)));
    const availability = page.getByRole('group', { name: 'Availability so far' });
    expect(await availability.locator('.big').textContent()).toBe(`${(view.availability.availability * 100).toFixed(2)}%`);
    // Each ended drill opens its debrief and its replay.
    for (const n of [1, 2]) for (const what of ['Debrief', 'Replay']) await page.getByRole('link', { name: `${what} of drill ${n}` }).waitFor();
    await expect(page.getByRole('img', { name: /^Score by drill: drill 1, [\d.]+; drill 2, [\d.]+\.$/ }).count()).resolves.toBe(1);
    await expect(page.locator('.score-trend .points circle').count()).resolves.toBe(2);

    const times = page.getByRole('table', { name: /^Response times/ });
    expect(await times.locator('thead th').allTextContents()).toEqual(['Milestone', expect.stringMatching(/^Drill 1Retail Sev 1/), expect.stringMatching(/^Drill 2Checkout retry storm/)]);
    const acknowledge = times.getByRole('row', { name: /^Time to acknowledge/ });
    const [first, second] = await acknowledge.locator('td').allTextContents();
    expect(first).toMatch(/^\d+m/);
    expect(second).toMatch(/faster than drill 1/);
    expect(await times.getByRole('row', { name: /^Time to declare/ }).locator('td').allTextContents()).not.toContain('not played yet');
    await page.getByRole('heading', { name: 'Game week 1' }).scrollIntoViewIfNeeded();
    await screenshots(page, 'played');
    expect(facilitator.problems).toEqual([]);
  });

  it('says so, with a way back to the lobby, for a campaign that does not exist', async () => {
    const { page } = facilitator;
    await page.goto(`${rig.server.url}/#/campaign/no-such-week`);
    await page.getByRole('heading', { name: 'No such campaign' }).waitFor();
    expect(await page.getByText('This server has no campaign "no-such-week".', { exact: false }).count()).toBe(1);
    await screenshots(page, 'missing');
    await page.getByRole('link', { name: 'Back to the lobby' }).click();
    await page.getByRole('form', { name: 'New campaign' }).waitFor();
    // The lobby leads back to the campaign this browser created.
    await page.getByRole('navigation', { name: 'Campaigns created in this browser' }).getByRole('link', { name: 'Game week 1' }).waitFor();
    // Every drill of the week is scored: the campaign leaderboard ranks it.
    const board = page.getByRole('table', { name: /^Campaign leaderboard/ });
    await board.getByRole('link', { name: 'Game week 1' }).waitFor();
    await page.getByRole('button', { name: 'Plan a week of drills' }).click();
    await screenshots(page, 'lobby-board');
    // The browser logs the API's 404 for the unknown campaign itself; nothing else may be logged.
    expect(facilitator.problems.filter((p) => !p.includes('status of 404 (Not Found)'))).toEqual([]);
    expect(facilitator.problems).toHaveLength(1);
  });
});
