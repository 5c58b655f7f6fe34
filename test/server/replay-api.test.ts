/**
 * GET /api/sessions/:id/replay: the log as its reader may see it, plus the telemetry of every tick,
 * re-derived by re-running the engine from the log (on the report worker). The same access as the log
 * (the facilitator at any time, participants once the drill has ended); one sample per tick run, equal
 * to what was streamed live and to a fresh in-process run; nothing hidden in a responder's or
 * observer's bundle; and a 503 when the bundle cannot be computed.
 */
import { describe, expect, it } from 'vitest';
import { commandOf } from '../../engine/core/log/replay.ts';
import { runScenario } from '../../engine/core/log/run.ts';
import type { TimedCommand } from '../../engine/protocol/commands.ts';
import { isFacilitatorOnly } from '../../engine/core/read/visibility.ts';
import type { ReplayBundle, SessionSummary } from '../../engine/protocol/messages.ts';
import type { MetricsSample } from '../../engine/protocol/views.ts';
import { loadScenario } from '../helpers.ts';
import { TestClient, createDrill, get, withServer } from './harness.ts';

const retail = loadScenario('retail-sev1');
const FAULT_IDS = retail.faults.map((f) => f.id);

/** Every string under a `facilitator` key, at any depth (notes, advice labels, the root cause). */
function facilitatorStrings(value: unknown, inside = false, out: string[] = []): string[] {
  if (typeof value === 'string') {
    if (inside) out.push(value);
  } else if (Array.isArray(value)) {
    for (const v of value) facilitatorStrings(v, inside, out);
  } else if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) facilitatorStrings(v, inside || k === 'facilitator', out);
  }
  return out;
}
// Long enough to be unmistakable in a JSON text (the short ones are label words, checked by position).
const NOTES = facilitatorStrings(retail)
  .filter((s) => s.length >= 20)
  .map((s) => JSON.stringify(s).slice(1, -1));

describe('replay API', () => {
  it('opens like the log, derives one sample per tick, and hides what responders may not see', async () => {
    await withServer(async (server) => {
      const creds = await createDrill(server, { scenarioId: 'retail-sev1', speed: 60 });
      const { sessionId } = creds;
      const path = `/api/sessions/${sessionId}/replay`;
      const bearer = (t: string) => ({ authorization: `Bearer ${t}` });
      const fac = await TestClient.join(server.url, { sessionId, token: creds.facilitatorToken, name: 'Fran' });
      const rita = await TestClient.join(server.url, { sessionId, code: creds.responderCode, name: 'rita' });
      let n = 0;
      const send = async (client: TestClient, message: Record<string, unknown>) => {
        const id = `m${++n}`;
        client.send({ ...message, clientActionId: id });
        expect(await client.reply(id), JSON.stringify(message)).toMatchObject({ type: 'ack' });
      };
      const control = (command: string, extra: Record<string, unknown> = {}) => send(fac, { type: 'control', command, ...extra });
      const act = (action: string, extra: Record<string, unknown> = {}) => send(rita, { type: 'action', action, ...extra });

      // Before anything runs: the facilitator gets a bundle with the state at t=0 and no samples.
      const fresh = (await get(server, path, bearer(creds.facilitatorToken))).json as ReplayBundle;
      expect(fresh).toMatchObject({ sessionId, role: 'facilitator', phase: 'ready', now: 0, seed: retail.seed, tickMs: retail.tick, events: [], samples: [] });
      expect(fresh.snapshot).toMatchObject({ now: 0, phase: 'ready' });

      await control('start');
      await control('inject', { fault: 'pricing-rules-v2' });
      await rita.waitForNow(60_000, 15_000);
      await act('diagnose', { target: 'pricing' });
      await act('status-update', { params: { message: 'looking at pricing' } });
      // A pause stops simulated time: the ticks run (and so the samples) are still now ÷ tick.
      await control('pause');
      await control('resume');
      await rita.waitForEvent('alert.firing', { severity: 'page' }, 20_000);
      await act('ack');

      // While the drill runs: the facilitator only.
      expect(await get(server, path)).toMatchObject({ status: 401, json: { code: 'unauthorized' } });
      expect(await get(server, path, bearer('wrong-token'))).toMatchObject({ status: 401 });
      expect(await get(server, `${path}?code=not-a-code`)).toMatchObject({ status: 401 });
      expect(await get(server, path, bearer(creds.responderCode))).toMatchObject({ status: 403, json: { code: 'drill-running' } });
      expect(await get(server, `${path}?code=${creds.responderCode}`)).toMatchObject({ status: 403, json: { code: 'drill-running' } });
      expect(await get(server, `${path}?code=${creds.observerCode}`)).toMatchObject({ status: 403, json: { code: 'drill-running' } });
      expect(await get(server, `/api/sessions/no-such-session/replay`, bearer(creds.facilitatorToken))).toMatchObject({ status: 404 });
      const running = await get(server, path, bearer(creds.facilitatorToken));
      expect(running.status).toBe(200);
      const live = running.json as ReplayBundle;
      expect(live.phase).toBe('running');
      expect(live.samples.length).toBe(live.now / live.tickMs);

      await control('end');
      const summary = (await get(server, `/api/sessions/${sessionId}`, bearer(creds.facilitatorToken))).json as SessionSummary;
      expect(summary.phase).toBe('ended');

      // Once ended: any participant's code, as a Bearer token or ?code=.
      const facRes = await get(server, path, bearer(creds.facilitatorToken));
      const ritaRes = await get(server, `${path}?code=${creds.responderCode}`);
      const byBearer = await get(server, path, bearer(creds.responderCode));
      const olgaRes = await get(server, path, bearer(creds.observerCode));
      for (const res of [facRes, ritaRes, byBearer, olgaRes]) expect(res.status).toBe(200);
      expect(byBearer.text).toBe(ritaRes.text);
      expect(await get(server, `${path}?code=not-a-code`)).toMatchObject({ status: 401 });
      expect(await get(server, path)).toMatchObject({ status: 401 });
      const full = facRes.json as ReplayBundle;
      const pub = ritaRes.json as ReplayBundle;
      const obs = olgaRes.json as ReplayBundle;
      expect([full.role, pub.role, obs.role]).toEqual(['facilitator', 'responder', 'observer']);

      // One sample per tick run, in tick order, equal to what the facilitator was streamed live.
      const ticks = summary.now / retail.tick;
      expect(ticks).toBeGreaterThan(10);
      expect(full.now).toBe(summary.now);
      expect(full.samples.length).toBe(ticks);
      expect(full.samples.map((s) => s.t)).toEqual(Array.from({ length: ticks }, (_, i) => i * retail.tick));
      const streamed = fac.messages.flatMap((m) => (m.type === 'events' && m.sample ? [m.sample as MetricsSample] : []));
      expect(streamed.length).toBe(ticks);
      expect(full.samples).toEqual(streamed);
      expect(pub.samples).toEqual(full.samples);
      // Telemetry only: services and journeys.
      expect(Object.keys(full.samples[0] as MetricsSample).sort()).toEqual(['journeys', 'services', 't', 'topics']);

      // The last sample matches a fresh in-process run of the same inputs (the start is runScenario's own).
      const logged = full.events.filter((e) => e.type === 'command');
      expect(logged[0]).toMatchObject({ t: 0, command: 'start' });
      const commands: TimedCommand[] = logged.slice(1).map((e) => ({ at: e.t, ...commandOf(e) }));
      const rerun = runScenario(retail, { seed: full.seed, commands, until: summary.now });
      expect(rerun.phase).toBe('ended');
      // The same events, but for who started it (runScenario's start is by "facilitator", the live one by Fran).
      expect(rerun.events.slice(0, 2).map((e) => e.type)).toEqual(['command', 'drill.state']);
      expect(rerun.events.slice(2)).toEqual(full.events.slice(2));
      const last = full.samples[full.samples.length - 1] as MetricsSample;
      expect(last.journeys.map((j) => [j.id, j.errorRate])).toEqual(rerun.sample().journeys.map((j) => [j.id, j.errorRate]));
      expect(last.journeys.some((j) => j.errorRate > 0.01), 'the inject shows in the journeys').toBe(true);
      expect(last).toEqual(rerun.sample());

      // The facilitator's bundle has everything (so the searches below would find a leak)...
      expect(NOTES.length).toBeGreaterThanOrEqual(5);
      for (const t of [...FAULT_IDS, ...NOTES, '"facilitator":', '"label":"harmful"']) expect(facRes.text).toContain(t);
      // ...the others' only the visible events and the public scenario.
      expect(full.events.some(isFacilitatorOnly)).toBe(true);
      expect(full.facilitator?.upcomingInjects.length).toBeGreaterThan(0);
      expect((full.scenario as { faults: { id: string }[] }).faults.map((f) => f.id).sort()).toEqual([...FAULT_IDS].sort());
      for (const [bundle, text] of [
        [pub, ritaRes.text],
        [obs, olgaRes.text],
      ] as const) {
        // Numbered as the live stream numbered them for everyone but the facilitator: no gaps.
        expect(bundle.events).toEqual(full.events.filter((e) => !isFacilitatorOnly(e)).map((e, seq) => ({ ...e, seq })));
        expect(bundle.events.some(isFacilitatorOnly)).toBe(false);
        expect(bundle.events.some((e) => e.type === 'status.posted')).toBe(true);
        expect(bundle.facilitator).toBeUndefined();
        expect(Object.keys(bundle.scenario)).not.toContain('faults');
        for (const id of FAULT_IDS) expect(text, id).not.toContain(id);
        for (const note of NOTES) expect(text, note).not.toContain(note);
        for (const key of ['facilitator', 'label', 'faults', 'resolves', 'logs', 'upcomingInjects', 'activeFaults', 'adviceLabels']) expect(text, key).not.toContain(`"${key}":`);
        expect(bundle.snapshot).toEqual(full.snapshot);
      }

      // Gzipped for clients that accept it; identical JSON for those that do not.
      const raw = await fetch(`${server.url}${path}`, { headers: { ...bearer(creds.responderCode), 'accept-encoding': 'gzip' } });
      expect(raw.headers.get('content-encoding')).toBe('gzip');
      expect(raw.headers.get('vary')).toMatch(/accept-encoding/i);
      const plain = await fetch(`${server.url}${path}`, { headers: { ...bearer(creds.responderCode), 'accept-encoding': 'identity' } });
      expect(plain.headers.get('content-encoding')).toBeNull();
      expect(await plain.text()).toBe(ritaRes.text);
      expect(JSON.parse(await raw.text())).toEqual(pub);

      // Bundles are built on the report worker; when it cannot compute one, the answer is a 503, as for
      // a report (here: the service is stopping). An ended drill's bundles, computed already, are still served.
      const other = await createDrill(server, { scenarioId: 'retail-sev1', speed: 60 });
      await server.registry.reports.close();
      for (const p of [`/api/sessions/${other.sessionId}/replay`, `/api/sessions/${other.sessionId}/report`]) {
        expect(await get(server, p, bearer(other.facilitatorToken)), p).toMatchObject({ status: 503, json: { code: 'report-unavailable' } });
      }
      expect((await get(server, path, bearer(creds.facilitatorToken))).text).toBe(facRes.text);

      fac.close();
      rita.close();
    });
  }, 60_000);
});
