/**
 * The lobby in Chromium with an extra scenario directory (SEVDRILL_SCENARIOS): its scenario is offered
 * beside the shipped ones, and the files that could not be loaded are listed, clearly apart, with the
 * lines `sevdrill validate` prints (the API's `messages`). No console error. Screenshots go to artifacts/.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ScenarioList } from '../../engine/protocol/messages.ts';
import { ROOT } from '../helpers.ts';
import { get } from '../server/harness.ts';
import { SKIP_BROWSER, artifact, person, startRig, type Rig } from './browser.ts';

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
      await expect(p.page.getByRole('form', { name: /^Create a / }).count()).resolves.toBe(5);
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
