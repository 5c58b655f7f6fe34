/**
 * The lobby in Chromium. With an extra scenario directory (SEVDRILL_SCENARIOS): its scenario is offered
 * beside the shipped ones, and the files that could not be loaded are listed, clearly apart, with the
 * lines `sevdrill validate` prints (the API's `messages`). Creating a drill by difficulty, below. No
 * console error. Screenshots go to artifacts/.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ScenarioList, SessionPage } from '../../engine/protocol/messages.ts';
import type { Explorer } from '../../engine/server/difficulty-cache.ts';
import { ROOT } from '../helpers.ts';
import { get } from '../server/harness.ts';
import { SKIP_BROWSER, artifact, person, startRig, waitLive, type Rig } from './browser.ts';

const BASE = readFileSync(join(ROOT, 'scenarios', 'checkout-retry-storm.yaml'), 'utf8');

describe.skipIf(SKIP_BROWSER)('the lobby lists scenario files that could not be loaded', () => {
  let rig: Rig;
  let dir: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'sevdrill-lobby-'));
    writeFileSync(join(dir, 'night-shift.yaml'), BASE.replace(/^id: .*$/m, 'id: night-shift').replace(/^title: .*$/m, 'title: "Night shift: payments slow down"'));
    writeFileSync(join(dir, 'typo.yaml'), BASE.replace(/^id: .*$/m, 'id: typo').replace('tick: 10s', 'tick: 10 parsecs').replace('duration: 4h', 'duration: forever'));
    writeFileSync(join(dir, 'copy.yaml'), BASE);
    rig = await startRig({ scenarioDirs: [join(ROOT, 'scenarios'), dir] });
  });
  afterAll(async () => {
    await rig?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('shows every broken file with its messages, apart from the playable scenarios', async () => {
    const { broken } = (await get(rig.server, '/api/scenarios')).json as ScenarioList;
    expect(broken.map((b) => b.file.split('/').pop())).toEqual(['copy.yaml', 'typo.yaml']);
    expect(broken[1]?.messages.length).toBe(2);

    for (const viewport of [{ width: 1440, height: 900 }, { width: 1280, height: 720 }]) {
      const p = await person(rig.browser, `lobby ${viewport.width}`, viewport);
      await p.page.goto(`${rig.server.url}/#/`);
      const region = p.page.getByRole('region', { name: 'Scenario files that could not be loaded' });
      await region.waitFor();
      await expect(region.getByRole('heading', { name: 'Could not load 2 scenario files' }).count()).resolves.toBe(1);
      for (const b of broken) {
        await expect(region.getByRole('heading', { name: b.file }).count()).resolves.toBe(1);
        const shown = await region.locator('.broken-file', { has: p.page.getByRole('heading', { name: b.file }) }).locator('li').allTextContents();
        expect(shown).toEqual(b.messages);
      }
      // The playable ones are still offered, the added scenario among them; the broken ones are not.
      await p.page.getByRole('form', { name: 'Create a Night shift: payments slow down drill' }).waitFor();
      await expect(p.page.getByRole('form', { name: /^Create a / }).count()).resolves.toBe(6);
      // The list comes before the scenario cards, where a facilitator missing a scenario looks.
      const list = await region.boundingBox();
      const firstCard = await p.page.locator('article.scenario').first().boundingBox();
      expect(list && firstCard && list.y + list.height <= firstCard.y).toBe(true);
      // Within the first screen, at both sizes.
      expect(list && list.y + list.height <= viewport.height).toBe(true);
      await p.page.screenshot({ path: artifact(`ui-lobby-broken-${viewport.width}.png`), fullPage: false });
      expect(p.problems).toEqual([]);
      await p.context.close();
    }
  });
});

/**
 * Creating a drill by difficulty in the lobby: the choice is offered once the server has rated the
 * scenario's seeds, shows the progress until then, says why when it cannot be, and after creation
 * shows the seed the server picked, which a click puts back in the Seed field for another team.
 */
describe.skipIf(SKIP_BROWSER)('the lobby creates a drill by difficulty', () => {
  let rig: Rig;
  let dir: string;
  let release: () => void = () => {};
  /** The ratings the stand-in explore gives every scenario: seeds 3 and 6 are the hard ones. */
  const RATINGS = ['easy', 'typical', 'hard', 'typical', 'easy', 'hard'] as const;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'sevdrill-lobby-'));
    writeFileSync(join(dir, 'night-shift.yaml'), BASE.replace(/^id: .*$/m, 'id: night-shift').replace(/^title: .*$/m, 'title: "Night shift: payments slow down"'));
    const gate = new Promise<void>((resolve) => (release = resolve));
    // The first scenario rated holds at 2 of 6 seeds until the test lets it finish; every one is then rated alike.
    const explorer: Explorer = async (options) => {
      options.onProgress?.(2);
      await gate;
      return { perSeed: RATINGS.map((rating, i) => ({ seed: options.fromSeed + i, rating, difficulty: 50 })) as never };
    };
    rig = await startRig({ scenarioDirs: [join(ROOT, 'scenarios'), dir], difficulty: { seeds: RATINGS.length, workers: 1 } }, { explorer });
  });
  afterAll(async () => {
    release();
    await rig?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('shows the rating under way, then offers easy, typical and hard, and shows the seed it picked', async () => {
    const viewports = [{ width: 1440, height: 900 }, { width: 1280, height: 720 }];
    const people = await Promise.all(viewports.map((v) => person(rig.browser, `difficulty ${v.width}`, v)));
    const formOf = (p: (typeof people)[number], title: RegExp) => p.page.getByRole('form', { name: title });
    for (const p of people) {
      await p.page.goto(`${rig.server.url}/#/`);
      const auth = formOf(p, /^Create a Auth certificate expiry/);
      await auth.getByText('rating seeds… 2/6').waitFor();
      await expect(auth.getByRole('radio', { name: 'Difficulty' }).isDisabled()).resolves.toBe(true);
      await expect(auth.getByRole('radio', { name: 'Seed' }).isChecked()).resolves.toBe(true);
      await formOf(p, /^Create a Retail Sev 1/).getByText('waiting to rate 6 seeds…').waitFor();
      // No reference plan: never offered, and the reason is shown.
      const night = formOf(p, /^Create a Night shift/);
      await night.getByText('unavailable: it has no reference plan (plans/night-shift.plan.yaml beside the scenario file)').waitFor();
      await expect(night.getByRole('radio', { name: 'Difficulty' }).isDisabled()).resolves.toBe(true);
      await p.page.screenshot({ path: artifact(`ui-lobby-difficulty-rating-${p.page.viewportSize()?.width}.png`) });
    }

    release();
    for (const p of people) {
      const retail = formOf(p, /^Create a Retail Sev 1/);
      // The lobby asks again while seeds are being rated: no reload needed.
      await retail.getByText('picked from 6 rated seeds').waitFor();
      const level = retail.getByLabel('Difficulty level');
      expect(await level.locator('option').allTextContents()).toEqual(['easy (2 seeds)', 'typical (2 seeds)', 'hard (2 seeds)']);
      await level.selectOption('hard');
      await expect(retail.getByRole('radio', { name: 'Difficulty' }).isChecked()).resolves.toBe(true);
      await retail.getByRole('button', { name: 'Create drill' }).click();
      const created = p.page.locator('article.scenario', { has: retail }).locator('.created');
      await created.waitFor();
      const seed = Number((await created.locator('.picked-seed').textContent())?.replace('seed ', ''));
      expect([3, 6]).toContain(seed);
      expect(await created.textContent()).toContain(`Created a hard drill: seed ${seed}.`);
      // The drill runs that seed, and the lobby stays put until the facilitator opens the console.
      const { sessions } = (await get(rig.server, '/api/sessions')).json as SessionPage;
      expect(sessions[0]).toMatchObject({ scenarioId: 'retail-sev1', seed });
      await p.page.screenshot({ path: artifact(`ui-lobby-difficulty-created-${p.page.viewportSize()?.width}.png`) });
      // Another team, the same drill: the seed goes back in the form.
      await created.getByRole('button', { name: `Use seed ${seed}` }).click();
      await expect(retail.getByRole('radio', { name: 'Seed' }).isChecked()).resolves.toBe(true);
      await expect(retail.getByLabel('Seed number').inputValue()).resolves.toBe(String(seed));
      await created.getByRole('link', { name: 'Open the console' }).click();
      await p.page.waitForURL(new RegExp(`#/drill/${sessions[0]?.sessionId}$`));
      await waitLive(p.page);
      expect(p.problems).toEqual([]);
      await p.context.close();
    }
  });
});
