/**
 * Integrations in Chromium: the lobby offers one checkbox per integration the server has configured
 * (none for the others), all off; choosing one at a speed other than 1 warns that the team's tools
 * show wall time; the drill is created with the choice, and its facilitator's Drill panel shows each
 * integration on or off with its counts. No console error.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { integrationsAt } from '../integrations/drill-run.ts';
import { startReceiver, type Receiver } from '../integrations/receiver.ts';
import { SKIP_BROWSER, artifact, person, reportProblems, startRig, waitLive, type Rig } from './browser.ts';

describe.skipIf(SKIP_BROWSER)('integrations in the lobby and the facilitator panel', () => {
  let rig: Rig;
  let receiver: Receiver;

  beforeAll(async () => {
    receiver = await startReceiver();
    rig = await startRig({ integrations: { ...integrationsAt(receiver.url), alertmanager: null, pagerduty: null } });
  });
  afterAll(async () => {
    await rig?.close();
    await receiver?.close();
  });

  it('are chosen per drill, off by default, with a warning away from speed 1, and reported to the facilitator', async () => {
    const p = await person(rig.browser, 'facilitator');
    try {
      await p.page.goto(`${rig.server.url}/#/`);
      const form = p.page.getByRole('form', { name: 'Create a Retail Sev 1: prices, checkout and accounts down together drill' });
      const slack = form.getByLabel('Slack');
      await slack.waitFor();
      await expect(slack.isChecked()).resolves.toBe(false);
      await expect(form.getByLabel('Webhook').isChecked()).resolves.toBe(false);
      await expect(form.getByLabel('PagerDuty').count()).resolves.toBe(0);
      await expect(form.getByLabel('Alertmanager').count()).resolves.toBe(0);
      const warning = form.locator('.integrations-warning');
      await expect(warning.isVisible()).resolves.toBe(false);
      await slack.check();
      // The lobby's default speed is 10.
      await expect(warning.textContent()).resolves.toMatch(/^At speeds other than 1, times on your own tools are wall time: at 10×/);
      await form.getByLabel('Speed').fill('1');
      await expect(warning.isVisible()).resolves.toBe(false);
      await form.getByLabel('Speed').fill('5');
      await p.page.screenshot({ path: artifact('ui-lobby-integrations.png') });
      await form.getByRole('button', { name: 'Create drill' }).click();
      await waitLive(p.page);
      const sessionId = /#\/drill\/([^?]+)/.exec(p.page.url())?.[1] ?? '';
      expect(rig.server.registry.get(sessionId)?.record.integrations).toEqual(['slack']);

      await p.page.locator('details.facilitator-drill > summary').click();
      const table = p.page.locator('.integrations-status');
      await table.waitFor();
      const rows = await table.locator('tr').allTextContents();
      expect(rows.slice(1).map((r) => r.slice(0, 12))).toEqual([expect.stringMatching(/^Slackon0/), expect.stringMatching(/^Webhookoff0/)]);
      await expect(p.page.locator('.facilitator-drill .integrations-warning').textContent()).resolves.toMatch(/^At speeds other than 1/);
      await p.page.screenshot({ path: artifact('ui-facilitator-integrations.png') });
      expect(p.problems).toEqual([]);
    } catch (error) {
      reportProblems([p]);
      throw error;
    } finally {
      await p.context.close();
    }
  }, 60_000);
});
