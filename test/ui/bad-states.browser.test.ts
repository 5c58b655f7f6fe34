/**
 * Bad states look like what they are, in Chromium: a wrong join code gets a page that says so, with a
 * way back to the lobby, and the console stops trying (no socket after the refusal); a replay opened
 * without a credential asks for the code rather than showing an error or JSON.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDrill, type CodeDrill } from '../server/harness.ts';
import { SKIP_BROWSER, person, startRig, type Rig } from './browser.ts';

describe.skipIf(SKIP_BROWSER)('bad states in Chromium', () => {
  let rig: Rig;
  let drill: CodeDrill;
  beforeAll(async () => {
    rig = await startRig();
    drill = await createDrill(rig.server, { scenarioId: 'retail-sev1', speed: 30 });
  });
  afterAll(async () => {
    await rig?.close();
  });

  it('a wrong join code: a page that says why, a way back, and no retrying', async () => {
    const p = await person(rig.browser, 'wrong-code');
    await p.page.goto(`${rig.server.url}/#/join/${drill.sessionId}?code=not-a-real-code`);
    await p.page.getByLabel(/Your name/).fill('mallory');
    await p.page.getByRole('button', { name: 'Join' }).click();
    await p.page.getByRole('heading', { name: 'You cannot join this drill' }).waitFor();
    await p.page.getByRole('link', { name: 'Back to the lobby' }).waitFor();
    // No console with live-looking buttons behind it.
    expect(await p.page.getByRole('button', { name: 'Acknowledge page' }).count()).toBe(0);
    const sockets = Number(await p.page.evaluate('window.__sockets.length'));
    await p.page.waitForTimeout(3_000);
    expect(Number(await p.page.evaluate('window.__sockets.length'))).toBe(sockets);
    await p.page.getByRole('link', { name: 'Back to the lobby' }).click();
    await p.page.getByRole('heading', { name: /sevdrill/i }).first().waitFor();
    await p.context.close();
  });

  it('a replay without a credential asks for the code', async () => {
    const p = await person(rig.browser, 'stranger');
    await p.page.goto(`${rig.server.url}/#/replay/${drill.sessionId}`);
    await p.page.getByLabel('Join code (or the facilitator token)').waitFor();
    expect(await p.page.evaluate('document.body.innerText')).not.toMatch(/[{}]/);
    await p.context.close();
  });
});
