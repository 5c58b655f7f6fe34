/**
 * One name everywhere: in a running retail-sev1 console, paged, with pricing selected and its
 * rollback waiting for approval, no text on screen shows a raw service or journey id where the
 * scenario gives a display name ("pricing-db" for "Pricing database"): not the buttons, not the
 * timeline's sentences, not the facilitator's Drill panel. Whole words only, and ids are matched
 * with their case, so "the pricing-rules config" or the authored prose of an action's description
 * or a log line (English words, not ids) are not ids; those prose parts are left out.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { actionPhrase } from '../../engine/protocol/describe.ts';
import { ACTION_TYPES } from '../../engine/protocol/scenario.ts';
import { createDrill } from '../server/harness.ts';
import { loadScenario } from '../helpers.ts';
import { SKIP_BROWSER, artifact, person, startPaged, startRig, type Person, type Rig } from './browser.ts';

/**
 * Authored sentences, not names: the scenario's title, a description, advice, an answer, a log line,
 * the briefing, the facilitator's notes. And what the seed drew, written as the scenario file's field
 * paths ("rollback:pricing.duration 2m31s"), which a facilitator looks up in that file.
 */
const PROSE = ['.console-head .title', '.action-description', '.advice-text', '.logs', '.answer-text', '.briefing-text', '.task-text', '.facilitator-notes-text', '.facilitator-drill .advice-labels', '.facilitator-drill .variation'];

/**
 * The timeline's sentences quote what people and the scenario wrote (an advice title, a log line, a
 * status update, a change's summary after its author): that is prose. They also quote an action by
 * its button's words (“Roll back Pricing”), which are ours and stay in, recognised by their verb.
 */
const ACTION_VERBS = new Set(ACTION_TYPES.map((t) => actionPhrase(t, '').split(' ')[0]?.toLowerCase()));
const withoutQuotedProse = (text: string): string =>
  text
    .replace(/“([^”]*)”/g, (quote, inside: string) => (ACTION_VERBS.has(inside.split(' ')[0]?.toLowerCase()) ? quote : '“…”'))
    .replace(/^(\d\d:\d\d:\d\d\s+)?(Change on .+? by [^:]+): .*$/gm, '$1$2: …');

/** The text of every text node on screen outside `prose` (a script: the tests have no DOM types). */
const SHOWN_TEXT = (prose: readonly string[]) => `(() => {
  const out = [];
  const walker = document.createTreeWalker(document.querySelector('.console'), NodeFilter.SHOW_TEXT);
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    const el = n.parentElement;
    if (!el || !n.data.trim() || el.closest(${JSON.stringify(prose.join(', '))}) || el.closest('title, option:not(:checked)')) continue;
    if (!el.checkVisibility({ checkOpacity: true, checkVisibilityCSS: true })) continue;
    out.push(n.data);
  }
  return out;
})()`;

describe.skipIf(SKIP_BROWSER)('display names in the console in Chromium', () => {
  let rig: Rig;
  let people: Person[] = [];
  beforeAll(async () => {
    rig = await startRig();
  }, 60_000);
  afterAll(async () => {
    await rig?.close();
  });

  it('shows no raw id of a service or journey that has a display name', async () => {
    const scenario = loadScenario('retail-sev1');
    const ids = [...scenario.services.filter((s) => s.name !== undefined && s.name !== s.id).map((s) => s.id), ...scenario.journeys.filter((j) => j.name !== j.id).map((j) => j.id)];
    const names = [...scenario.services.map((s) => s.name ?? s.id), ...scenario.journeys.map((j) => j.name)].sort((x, y) => y.length - x.length);
    expect(ids).toEqual(expect.arrayContaining(['pricing', 'pricing-db', 'product-page', 'product-price', 'checkout', 'account', 'auth']));
    const drill = await createDrill(rig.server, { scenarioId: 'retail-sev1', speed: 60 });
    const facilitator = await person(rig.browser, 'facilitator');
    const alice = await person(rig.browser, 'alice');
    const bob = await person(rig.browser, 'bob');
    people = [facilitator, alice, bob];
    await startPaged(rig.server.url, drill, facilitator, [[alice, 'alice'], [bob, 'bob']], 'pricing-rules-v2');
    const a = alice.page;
    await a.locator('g.node[data-id="pricing"]').click();
    await a.getByRole('button', { name: 'Diagnose (read logs)' }).click();
    await a.locator('.status-line', { hasText: 'Diagnose Pricing: done' }).waitFor();
    await a.getByRole('region', { name: 'Actions' }).getByRole('button', { name: 'Roll back Pricing', exact: true }).click();
    await a.locator('.status-line', { hasText: 'Roll back Pricing: requested' }).waitFor();
    await bob.page.getByRole('button', { name: 'Approve “Roll back Pricing”' }).first().waitFor();
    await bob.page.locator('g.node[data-id="pricing-db"]').click();
    // The timeline says what the buttons said, in the same words.
    await a.getByRole('region', { name: 'Timeline' }).getByText("alice's request to roll back Pricing is waiting for a second approver.").waitFor();
    await facilitator.page.locator('details.facilitator-drill > summary').click();
    await facilitator.page.locator('.facilitator-drill .fault-list').getByText(/^pricing-rules-v2 on Pricing · active since/).waitFor();
    for (const p of [alice, bob, facilitator]) {
      await p.page.screenshot({ path: artifact(`ui-names-${p.label}.png`) });
      // A display name may contain an id as a word ("See account information"): names are taken out first.
      let text = withoutQuotedProse(((await p.page.evaluate(SHOWN_TEXT(PROSE))) as string[]).join('\n'));
      for (const name of names) text = text.replaceAll(name, '‹name›');
      expect(text.length).toBeGreaterThan(500);
      const found = ids.flatMap((id) => {
        const at = text.match(new RegExp(`(?<![\\w-])${id}(?![\\w-])`));
        return at?.index === undefined ? [] : [`${id} in “${text.slice(Math.max(0, at.index - 40), at.index + id.length + 40).replace(/\n/g, ' ⏎ ')}”`];
      });
      expect(found, p.label).toEqual([]);
    }
    for (const p of people) await p.context.close();
  }, 120_000);
});
