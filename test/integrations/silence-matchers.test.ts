/** Which Alertmanager silences acknowledge a drill (silences.ts): Alertmanager's matcher rules, plus "it names the drill". */
import { describe, expect, it } from 'vitest';
import { silencesDrillAlert, type Silence } from '../../engine/server/integrations/silences.ts';

const labels = { alertname: 'SevdrillCheckoutErrors', severity: 'page', journey: 'checkout', drill: 'true', sevdrill_session: 'S-1_x', scenario: 'retail-sev1', sevdrill_alert: 'checkout-errors' };
const silence = (matchers: Silence['matchers'], state = 'active'): Silence => ({ id: 's', createdBy: 'alice', matchers, status: { state } });
const eq = (name: string, value: string) => ({ name, value, isRegex: false, isEqual: true });
const session = eq('sevdrill_session', 'S-1_x');

describe('a silence acknowledges a drill', () => {
  it('when it is active, names the drill by equality, and every matcher holds for a firing alert', () => {
    expect(silencesDrillAlert(silence([session]), 'S-1_x', [labels])).toBe(true);
    expect(silencesDrillAlert(silence([session, eq('alertname', 'SevdrillCheckoutErrors')]), 'S-1_x', [labels])).toBe(true);
    expect(silencesDrillAlert(silence([session], 'pending'), 'S-1_x', [labels])).toBe(false);
    expect(silencesDrillAlert(silence([session], 'expired'), 'S-1_x', [labels])).toBe(false);
    expect(silencesDrillAlert(silence([session]), 'S-1_x', [])).toBe(false);
    expect(silencesDrillAlert(silence([session, eq('alertname', 'SevdrillOther')]), 'S-1_x', [labels])).toBe(false);
  });

  it('never when it only matches the drill by other labels, a regex or a negation', () => {
    expect(silencesDrillAlert(silence([eq('journey', 'checkout')]), 'S-1_x', [labels])).toBe(false);
    expect(silencesDrillAlert(silence([{ name: 'sevdrill_session', value: 'S-.*', isRegex: true, isEqual: true }]), 'S-1_x', [labels])).toBe(false);
    expect(silencesDrillAlert(silence([{ ...session, isEqual: false }, eq('drill', 'true')]), 'S-1_x', [labels])).toBe(false);
    expect(silencesDrillAlert(silence([eq('sevdrill_session', 'S-2')]), 'S-1_x', [labels])).toBe(false);
  });

  it("reads matchers as Alertmanager does: anchored regexes, negations, a missing label as ''", () => {
    const re = (name: string, value: string, isEqual = true) => ({ name, value, isRegex: true, isEqual });
    expect(silencesDrillAlert(silence([session, re('alertname', 'Sevdrill.*')]), 'S-1_x', [labels])).toBe(true);
    expect(silencesDrillAlert(silence([session, re('alertname', 'Checkout')]), 'S-1_x', [labels])).toBe(false);
    expect(silencesDrillAlert(silence([session, re('severity', 'page|ticket')]), 'S-1_x', [labels])).toBe(true);
    expect(silencesDrillAlert(silence([session, re('severity', 'ticket', false)]), 'S-1_x', [labels])).toBe(true);
    expect(silencesDrillAlert(silence([session, { ...eq('severity', 'page'), isEqual: false }]), 'S-1_x', [labels])).toBe(false);
    expect(silencesDrillAlert(silence([session, eq('service', '')]), 'S-1_x', [labels])).toBe(true);
    expect(silencesDrillAlert(silence([session, re('alertname', '(')]), 'S-1_x', [labels])).toBe(false);
  });
});
