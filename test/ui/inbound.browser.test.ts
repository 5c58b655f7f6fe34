/**
 * Acknowledging from the team's own tools, in Chromium: the facilitator's Drill panel shows, for a
 * drill that sends to PagerDuty and Alertmanager, the PagerDuty inbound URL and Authorization header
 * (with Copy buttons) and the Alertmanager silence that acknowledges; what it shows works (a PagerDuty
 * webhook sent with exactly those values acknowledges the page as alice, whose console then shows the
 * page acknowledged); a responder's page never holds the secret. No console error.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDrill } from '../server/harness.ts';
import { integrationsAt } from '../integrations/drill-run.ts';
import { startReceiver, type Receiver } from '../integrations/receiver.ts';
import { SKIP_BROWSER, artifact, person, reportProblems, startPaged, startRig, type Rig } from './browser.ts';

describe.skipIf(SKIP_BROWSER)("acknowledging from the team's own tools, in the facilitator panel", () => {
  let rig: Rig;
  let receiver: Receiver;

  beforeAll(async () => {
    receiver = await startReceiver();
    rig = await startRig({ integrations: { ...integrationsAt(receiver.url), slack: null, webhook: null } });
  });
  afterAll(async () => {
    await rig?.close();
    await receiver?.close();
  });

  it('shows the inbound URL and secret to the facilitator only, and they acknowledge the page', async () => {
    const fac = await person(rig.browser, 'facilitator');
    const alice = await person(rig.browser, 'alice');
    try {
      const drill = await createDrill(rig.server, { scenarioId: 'retail-sev1', speed: 60, integrations: ['pagerduty', 'alertmanager'] });
      await startPaged(rig.server.url, drill, fac, [[alice, 'alice']], 'pricing-rules-v2');

      await fac.page.locator('details.facilitator-drill > summary').click();
      const inbound = fac.page.getByLabel('Acknowledge from your own tools');
      await inbound.waitFor();
      const url = await inbound.getByRole('textbox', { name: 'Inbound URL' }).inputValue();
      const header = await inbound.getByRole('textbox', { name: 'Authorization' }).inputValue();
      expect(url).toBe(`${new URL(fac.page.url()).origin}/api/sessions/${drill.sessionId}/inbound/pagerduty`);
      expect(header).toMatch(/^Bearer [A-Za-z0-9_-]{16}$/);
      await expect(inbound.getByRole('button', { name: 'Copy' }).count()).resolves.toBe(2);
      await expect(inbound.locator('.inbound-alertmanager').textContent()).resolves.toContain(`sevdrill_session="${drill.sessionId}"`);
      await fac.page.locator('.facilitator-drill .integrations').screenshot({ path: artifact('ui-facilitator-inbound.png') });

      // What the panel shows is what PagerDuty would be given.
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: header },
        body: JSON.stringify({
          event: { event_type: 'incident.acknowledged', agent: { summary: 'Alice', type: 'user_reference' }, data: { incident_key: `sevdrill-${drill.sessionId}-checkout-errors` } },
        }),
      });
      expect(res.status, await res.clone().text()).toBe(200);
      await alice.page.getByRole('button', { name: 'Acknowledge page', disabled: true }).waitFor();

      const secret = header.slice('Bearer '.length);
      expect(await alice.page.content()).not.toContain(secret);
      const aliceStorage = String(await alice.page.evaluate('JSON.stringify({ ...localStorage, ...sessionStorage })'));
      expect(aliceStorage).not.toContain(secret);
      expect([...fac.problems, ...alice.problems]).toEqual([]);
    } catch (error) {
      reportProblems([fac, alice]);
      throw error;
    } finally {
      await fac.context.close();
      await alice.context.close();
    }
  }, 90_000);
});
