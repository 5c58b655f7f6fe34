/**
 * Below 900 px the console stacks its panels in one scrolling column: at 800×900, with the page
 * firing, every main action of a responder can be scrolled to and is fully on screen, nothing
 * sticks out sideways, and the graph still names its services.
 */
import { describe, expect, it } from 'vitest';
import { SKIP_BROWSER, artifact, joinDrill, person, withPausedDrill } from './browser.ts';

const ACTIONS = ['Acknowledge page', 'Declare / change severity', 'Take IC', 'Post status update', 'Resolve incident', 'Roll back Pricing', 'Diagnose (read logs)'];

describe.skipIf(SKIP_BROWSER)('the console at 800 px in Chromium', () => {
  const paused = withPausedDrill();

  it('reaches every main action, with no sideways scroll', async () => {
    const p = await person(paused.rig.browser, 'narrow', { width: 800, height: 900 });
    await joinDrill(p, paused.rig.server.url, paused.drill.sessionId, paused.drill.responderCode, 'nadia');
    const { page } = p;
    await page.getByRole('list', { name: 'Alerts' }).getByRole('listitem').first().waitFor();
    // Pick pricing so that its actions and Diagnose are there to reach.
    await page.locator('g.node[data-id="pricing"]').click();
    for (const name of ACTIONS) {
      const button = page.getByRole('button', { name, exact: true }).first();
      await button.scrollIntoViewIfNeeded();
      const box = await button.boundingBox();
      expect(box, name).not.toBeNull();
      expect(box && box.x >= 0 && box.x + box.width <= 800 && box.y >= 0 && box.y + box.height <= 900, `${name}: ${JSON.stringify(box)}`).toBe(true);
    }
    expect(await page.evaluate('document.scrollingElement.scrollWidth <= innerWidth')).toBe(true);
    expect(await page.locator('.gv .label').count()).toBeGreaterThan(5);
    await page.evaluate('scrollTo(0, 0)');
    await page.screenshot({ path: artifact('ui-narrow-800.png'), fullPage: true });
    await p.context.close();
  });
});
