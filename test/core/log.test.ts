/** The log parser checks every event against the typed event union, and says which line is wrong. */
import { describe, expect, it } from 'vitest';
import { createHeader, parseLog, serializeLog } from '../../engine/core/log/log.ts';
import { runScenario } from '../../engine/core/log/run.ts';
import { engineEventSchema } from '../../engine/protocol/events.ts';
import { loadPlan, loadScenario } from '../helpers.ts';

const SHIPPED = ['retail-sev1', 'checkout-retry-storm', 'auth-cert-expiry'];

function shippedLog(id: string): string {
  const scenario = loadScenario(id);
  const session = runScenario(scenario, { commands: loadPlan(id) });
  return serializeLog(createHeader(scenario, session.seed, '20'), session.events);
}

describe('parseLog', () => {
  it.each(SHIPPED)('every event of a full %s run is in the union, and parses back unchanged', (id) => {
    const text = shippedLog(id);
    const parsed = parseLog(text);
    if (!parsed.ok) throw new Error(`line ${parsed.line}: ${parsed.message}`);
    expect(parsed.events.length).toBeGreaterThan(100);
    for (const e of parsed.events) expect(engineEventSchema.safeParse(e).success).toBe(true);
    // The parsed events are the lines as written (key order included), not the schema's output.
    expect(serializeLog(parsed.header, parsed.events)).toBe(text);
  });

  it('names the line and the field of an event that breaks the union', () => {
    const lines = shippedLog('retail-sev1').trimEnd().split('\n');
    const i = lines.findIndex((l) => l.includes('"type":"alert.firing"'));
    const bad = JSON.parse(lines[i] ?? '{}') as Record<string, unknown>;
    lines[i] = JSON.stringify({ ...bad, value: 'high' });
    const result = parseLog(`${lines.join('\n')}\n`);
    expect(result).toEqual({ ok: false, line: i + 1, message: 'the alert.firing event: value: Invalid input: expected number, received string' });
  });

  it('refuses an event type the engine does not emit, and a line that is not JSON', () => {
    const lines = shippedLog('retail-sev1').trimEnd().split('\n');
    const withUnknown = [...lines.slice(0, 3), '{"seq":2,"t":0,"type":"fault.guessed"}', ...lines.slice(3)];
    expect(parseLog(withUnknown.join('\n'))).toMatchObject({ ok: false, line: 4, message: 'unknown event type "fault.guessed"' });
    const withGarbage = [...lines.slice(0, 2), '{"seq":', ...lines.slice(2)];
    expect(parseLog(withGarbage.join('\n'))).toMatchObject({ ok: false, line: 3, message: 'not JSON' });
  });
});
