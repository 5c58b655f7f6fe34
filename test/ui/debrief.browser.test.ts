/**
 * The debrief in real Chromium: the report leads with the lesson (time sinks, what went well and
 * badly) on the first screen; the page never scrolls, only the report's frame does, with the
 * leaderboard open too; and the report's link to the scoring guide opens /docs/scoring in a new tab,
 * out of the frame's sandbox. Screenshots at 1440×900 and 1280×720 go to artifacts/.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { TestClient, createDrill } from '../server/harness.ts';
import { SKIP_BROWSER, artifact, person, reportProblems, startRig, type Person, type Rig } from './browser.ts';

/** Plays retail-sev1 at full speed: a team that responds (or one that only watches), then the End. */
async function play(url: string, team: string, respond: boolean) {
  const creds = await createDrill({ url }, { scenarioId: 'retail-sev1', speed: 60, team });
  const { sessionId } = creds;
  const fac = await TestClient.join(url, { sessionId, token: creds.facilitatorToken, name: 'fac' });
  const ann = await TestClient.join(url, { sessionId, code: creds.responderCode, name: 'ann' });
  const bo = await TestClient.join(url, { sessionId, code: creds.responderCode, name: 'bo' });
  fac.send({ type: 'control', command: 'start', clientActionId: 'start' });
  await ann.waitForEvent('alert.firing', { severity: 'page' }, 20_000);
  if (respond) {
    ann.send({ type: 'action', clientActionId: 'a0', action: 'ack' });
    ann.send({ type: 'action', clientActionId: 'a1', action: 'declare', params: { severity: 1 } });
    bo.send({ type: 'action', clientActionId: 'b0', action: 'diagnose', target: 'pricing' });
    ann.send({ type: 'action', clientActionId: 'a2', action: 'rollback', target: 'pricing' });
    await bo.waitForEvent('approval.requested');
    bo.send({ type: 'action', clientActionId: 'b1', action: 'approve', params: { request: 'rollback:pricing' } });
    await ann.waitForEvent('incident.state', { to: 'mitigated' }, 45_000);
    ann.send({ type: 'action', clientActionId: 'a3', action: 'resolve' });
    await ann.waitForEvent('incident.state', { to: 'resolved' });
  } else {
    await ann.waitFor((m) => m.type === 'events' && (m.now as number) >= 900_000, 20_000);
  }
  fac.send({ type: 'control', command: 'end', clientActionId: 'end' });
  await fac.waitFor((m) => m.type === 'ack' && m.clientActionId === 'end');
  for (const c of [fac, ann, bo]) c.close();
  return creds;
}

const SIZES = [
  { width: 1440, height: 900 },
  { width: 1280, height: 720 },
];

describe.skipIf(SKIP_BROWSER)('the debrief in Chromium', () => {
  let rig: Rig;
  let url = '';
  let sessionId = '';
  let code = '';
  const people: Person[] = [];

  beforeAll(async () => {
    rig = await startRig();
    url = rig.server.url;
    const [good] = await Promise.all([play(url, 'red team', true), play(url, 'blue team', false)]);
    sessionId = good.sessionId;
    code = good.responderCode;
  }, 90_000);

  afterAll(async () => {
    reportProblems(people);
    await rig?.close();
  });

  /** The page's own layout: whether it scrolls, and where the frame and the leaderboard sit (a script: the tests have no DOM types). */
  interface Box {
    top: number;
    bottom: number;
    left: number;
    right: number;
    width: number;
    height: number;
  }
  const layout = (page: Page) =>
    page.evaluate(`(() => {
      const box = (el) => (el ? el.getBoundingClientRect().toJSON() : null);
      const s = document.scrollingElement;
      return {
        pageScrolls: s.scrollHeight > window.innerHeight || s.scrollWidth > window.innerWidth,
        frame: box(document.querySelector('iframe.report')),
        board: box(document.querySelector('.debrief-board:not([hidden])')),
      };
    })()`) as Promise<{ pageScrolls: boolean; frame: Box | null; board: Box | null }>;

  it.each(SIZES)('at $width×$height: the lesson on the first screen, one scrollbar, and the leaderboard beside the report', async (size) => {
    const p = await person(rig.browser, `viewer ${size.width}`, size);
    people.push(p);
    const { page } = p;
    await page.goto(`${url}/#/debrief/${sessionId}?code=${code}`);
    const report = page.frameLocator('iframe[title="After-action report"]');
    await report.locator('#h-lesson').waitFor();
    await report.locator('figure.chart svg').first().waitFor();

    const closed = await layout(page);
    expect(closed.pageScrolls).toBe(false);
    expect(closed.frame?.bottom).toBe(size.height);
    // The lesson's three lists start within the first screen of the report.
    const top = (await report.locator('#lesson .cols').boundingBox())?.y ?? Infinity;
    expect(top).toBeLessThan((closed.frame?.height ?? 0) - 120);
    expect(await report.locator('#lesson .sinks li').count()).toBe(3);
    expect(await report.locator('#lesson .well li').count()).toBeGreaterThan(0);
    await page.screenshot({ path: artifact(`debrief-${size.width}x${size.height}.png`) });

    await page.getByRole('button', { name: 'Leaderboard' }).click();
    const board = page.getByRole('complementary', { name: 'Leaderboard' });
    await board.locator('tr.this-drill').waitFor();
    expect(await board.locator('tr').count()).toBe(3);
    const open = await layout(page);
    expect(open.pageScrolls).toBe(false);
    // The report keeps its place and its height; the leaderboard sits to its right, full height.
    expect(open.frame?.top).toBe(closed.frame?.top);
    expect(open.frame?.bottom).toBe(size.height);
    expect(open.board?.left).toBeGreaterThanOrEqual((open.frame?.right ?? 0) - 1);
    expect(open.board?.right).toBeLessThanOrEqual(size.width);
    expect(open.frame?.width).toBeGreaterThan(size.width * 0.6);
    await page.screenshot({ path: artifact(`debrief-leaderboard-${size.width}x${size.height}.png`) });
    await page.getByRole('button', { name: 'Leaderboard' }).click();
    expect((await layout(page)).board).toBeNull();
  });

  it("the report's link opens the scoring guide in a new tab, out of the frame's sandbox", async () => {
    const p = people[0] as Person;
    const report = p.page.frameLocator('iframe[title="After-action report"]');
    const link = report.getByRole('link', { name: 'How the score is computed' });
    const [guide] = await Promise.all([p.context.waitForEvent('page'), link.click()]);
    await guide.waitForLoadState();
    expect(new URL(guide.url()).pathname).toBe('/docs/scoring');
    await guide.getByRole('heading', { name: 'Weights and penalties' }).waitFor();
    expect(await guide.locator('table').count()).toBeGreaterThan(5);
    // Its own inline style applies (allowed by its hash), so the page is laid out, not raw.
    expect(await guide.evaluate("getComputedStyle(document.querySelector('pre')).backgroundColor")).toBe('rgb(245, 247, 249)');
    await guide.setViewportSize({ width: 1280, height: 720 });
    await guide.screenshot({ path: artifact('docs-scoring-1280x720.png') });
    await guide.close();
  });

  it('without a credential, asks for the join code instead of showing an error, and opens once given it', async () => {
    const p = await person(rig.browser, 'stranger');
    people.push(p);
    await p.page.goto(`${url}/#/debrief/${sessionId}`);
    await p.page.getByText(/holds no credential for this drill/).waitFor();
    expect(await p.page.evaluate('document.body.innerText')).not.toContain('{');
    await p.page.getByLabel('Join code (or the facilitator token)').fill('not-the-code');
    await p.page.getByRole('button', { name: 'Open the debrief' }).click();
    await p.page.getByText(/holds no credential for this drill/).waitFor();
    await p.page.getByLabel('Join code (or the facilitator token)').fill(code);
    await p.page.getByRole('button', { name: 'Open the debrief' }).click();
    await p.page.frameLocator('iframe[title="After-action report"]').locator('#h-lesson').waitFor();
    expect(await p.page.getByLabel('Join code (or the facilitator token)').count()).toBe(0);
  });

  it('logged no console error and threw no page error', () => {
    // Under Playwright, Chromium logs this for every pointer event over a sandboxed srcdoc frame, as it
    // does with sandbox="" (nothing in the report tries to run: it has no scripts).
    const pointerNoise = /Blocked script execution in 'about:srcdoc' because the document's frame is sandboxed/;
    // The stranger's two refused fetches (401) are what the test asked for; Chromium logs each one.
    const refused = /^stranger: console\.error: Failed to load resource: the server responded with a status of 401/;
    const problems = people.flatMap((p) => p.problems).filter((m) => !pointerNoise.test(m));
    expect(problems.filter((m) => refused.test(m))).toHaveLength(2);
    expect(problems.filter((m) => !refused.test(m))).toEqual([]);
  });
});
