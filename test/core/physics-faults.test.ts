/**
 * Issue 10, faults on several targets and rolling rollbacks and restarts, pinned for fixed seeds:
 * every target of a fault gets the whole effect (on a service, or on each call from `from`); a
 * rollback or restart of a service with several instances moves in one step per instance.
 */
import { describe, expect, it } from 'vitest';
import { foldCommands } from '../../engine/core/log/fold.ts';
import { runScenario } from '../../engine/core/log/run.ts';
import { replayLog } from '../../engine/core/log/replay.ts';
import { createSession } from '../../engine/core/session.ts';
import { describe as describeEvent } from '../../engine/protocol/describe.ts';
import type { EngineEvent, EventOf } from '../../engine/protocol/events.ts';
import type { TimedCommand } from '../../engine/protocol/commands.ts';
import { type Scenario, type ScenarioInput } from '../../engine/protocol/scenario.ts';
import type { MetricsSample } from '../../engine/protocol/views.ts';
import { loadScenarioText } from '../../engine/scenario/load.ts';
import { findMilestones } from '../../engine/score/milestones.ts';
import { createHeader } from '../../engine/core/log/log.ts';
import { scoreLog } from '../../engine/score/scorecard.ts';
import { buildReport } from '../../engine/score/timeline.ts';
import { renderMarkdown } from '../../engine/score/report-markdown.ts';
import { isFacilitatorOnly, publicScenario } from '../../engine/core/read/visibility.ts';
import { applyEvents, modelFromWelcome } from '../../ui/src/model.ts';
import { logText, tinyScenario, parseScenario } from '../helpers.ts';

type FaultInput = ScenarioInput['faults'][number];
type ServiceInput = ScenarioInput['services'][number];

const quiet = { rps: 0, latency: 0, errorRate: 0 };

/**
 * web → api → db, all hard, no retries, no noise (so steps are exact). api runs `instances`
 * instances at 62.5% utilisation (500 of 800 rps); its bad deploy fails 40% of its own work.
 */
function chain(o: { instances?: number; faults?: FaultInput[]; api?: Partial<ServiceInput>; actions?: ScenarioInput['actions'] } = {}): Scenario {
  const input: ScenarioInput = {
    id: 'chain',
    title: 'Chain',
    briefing: 'web calls api calls db.',
    seed: 7,
    tick: '10s',
    duration: '1h',
    services: [
      { id: 'web', tier: 'critical', baseline: { latencyMs: 20 }, capacity: 2000, noise: quiet, dependencies: [{ service: 'api', kind: 'hard', timeout: '1s' }] },
      {
        id: 'api',
        tier: 'critical',
        baseline: { latencyMs: 40, p99Ms: 120 },
        capacity: 800,
        noise: quiet,
        ...(o.instances !== undefined ? { instances: o.instances } : {}),
        dependencies: [{ service: 'db', kind: 'hard', timeout: '500ms' }],
        ...o.api,
      },
      { id: 'db', tier: 'critical', baseline: { latencyMs: 5 }, capacity: 5000, noise: quiet },
    ],
    journeys: [{ id: 'shop', name: 'Shop', entry: 'web', rps: 500, valuePerRequest: 1, slo: { errorRate: 0.01, p99Ms: 1000 } }],
    faults: o.faults ?? [{ id: 'bad', kind: 'code-deploy', target: 'api', at: '2m', effect: { errorRate: 0.4 }, rootCause: true }],
    actions: o.actions ?? [
      { type: 'rollback', target: 'api', duration: '4m', resolves: ['bad'] },
      { type: 'restart', target: 'api', duration: '4m' },
    ],
    objectives: { ack: '5m', declare: '10m', mitigate: '30m', resolve: '45m' },
  };
  return parseScenario(input);
}

const ACT_AT = 6 * 60_000;

/** Runs to `until`, with one command at ACT_AT, and keeps every tick's sample. */
function run(scenario: Scenario, command: string | null, until = 12 * 60_000): { samples: MetricsSample[]; events: readonly EngineEvent[] } {
  const samples: MetricsSample[] = [];
  const commands: TimedCommand[] = [{ at: 0, actor: 'facilitator', type: 'start' }];
  if (command !== null) commands.push({ at: ACT_AT, actor: 'alice', type: command, target: 'api' });
  const session = foldCommands(scenario, scenario.seed, commands, { until, onTick: (s) => samples.push(s) });
  return { samples, events: session.events };
}

const service = (sample: MetricsSample, id: string) => {
  const found = sample.services.find((s) => s.id === id);
  if (!found) throw new Error(`no ${id}`);
  return found;
};
const at = (samples: MetricsSample[], t: number): MetricsSample => {
  const found = samples.find((s) => s.t === t);
  if (!found) throw new Error(`no sample at ${t}`);
  return found;
};
const ofType = <K extends EngineEvent['type']>(events: readonly EngineEvent[], type: K) =>
  events.filter((e): e is EventOf<K> => e.type === type);
/** The events without the header: what two runs of differently written scenarios can share. */
const body = (events: readonly EngineEvent[]) => events.map((e) => JSON.stringify(e)).join('\n');

const MIN = 60_000;

describe('a fault with several targets', () => {
  const both: FaultInput = { id: 'bad', kind: 'config-deploy', target: ['api', 'db'], at: '2m', effect: { errorRate: 0.4 }, change: { summary: 'rules v9' }, rootCause: true };
  const apiOnly: FaultInput = { id: 'bad', kind: 'config-deploy', target: 'api', at: '2m', effect: { errorRate: 0.4 }, rootCause: true };
  const dbOnly: FaultInput = { id: 'bad-db', kind: 'config-deploy', target: 'db', at: '2m', effect: { errorRate: 0.4 } };

  it('gives every target the whole effect: the same telemetry as one fault per target', () => {
    const one = run(chain({ faults: [both] }), null, 5 * MIN);
    const two = run(chain({ faults: [apiOnly, dbOnly] }), null, 5 * MIN);
    expect(one.samples).toEqual(two.samples);
    const hit = at(one.samples, 3 * MIN);
    expect(service(hit, 'db').errorRate).toBe(0.401);
    // api's own 40% and db's 40% compound: 1 − 0.6 × 0.6 = 0.64, plus the healthy rates.
    expect(service(hit, 'api').errorRate).toBe(0.6412);
    expect(hit.journeys[0]?.errorRate).toBe(0.6416);
  });

  it('names the first target in `target` and all of them in `targets`; a one-target fault logs no `targets`', () => {
    const [started] = ofType(run(chain({ faults: [both] }), null, 3 * MIN).events, 'fault.started');
    expect(started).toEqual({ seq: expect.any(Number), t: 2 * MIN, type: 'fault.started', fault: 'bad', kind: 'config-deploy', target: 'api', targets: ['api', 'db'], scheduled: true });
    expect(describeEvent(started as EngineEvent)).toBe('Fault bad (config-deploy) started on api and db, as scheduled.');
    const [single] = ofType(run(chain(), null, 3 * MIN).events, 'fault.started');
    expect(Object.keys(single ?? {})).toEqual(['seq', 't', 'type', 'fault', 'kind', 'target', 'scheduled']);
  });

  it('announces its change once, on the first target', () => {
    const changes = ofType(run(chain({ faults: [both] }), null, 3 * MIN).events, 'change.deployed');
    expect(changes.map((c) => c.service)).toEqual(['api']);
  });

  it('runs a list of one exactly as a single target', () => {
    const listed = run(chain({ faults: [{ ...apiOnly, target: ['api'] }] }), 'rollback');
    const plain = run(chain({ faults: [apiOnly] }), 'rollback');
    expect(body(listed.events)).toBe(body(plain.events));
    expect(listed.samples).toEqual(plain.samples);
  });

  it('with `from`, is on the call from `from` to each target', () => {
    const edge = (target: string | string[], id = 'cut'): FaultInput => ({ id, kind: 'dependency-outage', target, from: 'web', at: '5m', effect: { errorRate: 0.5 }, rootCause: true });
    const scenario = (faults: FaultInput[]) =>
      tinyScenario({ faults, actions: [{ type: 'rollback', target: 'api', resolves: faults.map((f) => f.id) }] });
    const samples = (s: Scenario) => {
      const out: MetricsSample[] = [];
      foldCommands(s, s.seed, [{ at: 0, actor: 'facilitator', type: 'start' }], { until: 8 * MIN, onTick: (x) => out.push(x) });
      return out;
    };
    const one = samples(scenario([edge(['api', 'recs'])]));
    expect(one).toEqual(samples(scenario([edge('api'), edge('recs', 'cut-recs')])));
    const hit = at(one, 7 * MIN);
    // The callees see half the attempts (the other half never reach them) and no more errors: recs
    // half of web's 198 rps; api half of 198 × (1 + 0.5 + 0.25) attempts (two retries).
    expect(service(hit, 'web').rps).toBe(198);
    expect(service(hit, 'recs').rps).toBe(99);
    expect(service(hit, 'api').rps).toBe(174);
    expect(service(hit, 'recs').errorRate).toBeLessThan(0.002);
    // web fails when all three attempts on its hard call are stopped (0.5³); recs is soft: degraded.
    expect(service(hit, 'web').errorRate).toBe(0.1263);
  });

  it('is identified when a responder diagnoses any of its targets', () => {
    const s = chain({ faults: [both] });
    const commands: TimedCommand[] = [
      { at: 0, actor: 'facilitator', type: 'start' },
      { at: 4 * MIN, actor: 'alice', type: 'diagnose', target: 'web' },
      { at: 5 * MIN, actor: 'alice', type: 'diagnose', target: 'db' },
    ];
    const events = foldCommands(s, s.seed, commands, { until: 6 * MIN }).events;
    const m = findMilestones(s, events);
    expect(m.investigating).toBe(4 * MIN);
    expect(m.identified).toBe(5 * MIN);
  });

  it('names every target of the root cause in the scorecard and the report', () => {
    const s = chain({ instances: 4, faults: [both] });
    const session = runScenario(s, { until: 12 * MIN, commands: [{ at: ACT_AT, actor: 'alice', type: 'rollback', target: 'api' }] });
    const header = createHeader(s, session.seed, 'test');
    const card = scoreLog(header, session.events);
    expect(card.rootCause).toEqual({ id: 'bad', target: 'api', targets: ['api', 'db'] });
    const report = buildReport(header, session.events, card);
    expect(report.rootCause).toEqual({ id: 'bad', target: 'api', targets: ['api', 'db'], kind: 'config-deploy' });
    expect(renderMarkdown(card, report)).toContain('root cause `bad` (config-deploy on api, db)');
    // The decision log follows the rollback through its batches.
    const rollback = report.decisions.find((d) => d.command === 'rollback');
    expect(rollback?.followed.map((f) => f.type)).toEqual(['action.started', 'action.progress', 'action.progress', 'action.progress', 'action.completed', 'fault.ended']);
  });

  it('shows the facilitator every target', () => {
    const session = createSession(chain({ faults: [both] }));
    session.submit({ actor: 'facilitator', type: 'start' });
    expect(session.facilitatorView().upcomingInjects).toEqual([{ fault: 'bad', target: 'api', targets: ['api', 'db'], at: 2 * MIN }]);
    session.runUntil(3 * MIN);
    expect(session.facilitatorView().activeFaults).toEqual([{ fault: 'bad', target: 'api', targets: ['api', 'db'], startedAt: 2 * MIN }]);
  });
});

describe('rolling rollbacks and restarts', () => {
  it('a 4-minute rollback of 4 instances takes the error rate down in four steps a minute apart', () => {
    const { samples, events } = run(chain({ instances: 4 }), 'rollback');
    const apiErr = (t: number) => service(at(samples, t), 'api').errorRate;
    // Each step holds for its whole minute, and moves only when a batch lands.
    for (const [from, value] of [[6, 0.4016], [7, 0.3017], [8, 0.2018], [9, 0.1019], [10, 0.002]] as const) {
      for (let t = from * MIN; t < (from + 1) * MIN; t += 10_000) expect(apiErr(t), `at ${t}`).toBe(value);
    }
    expect(at(samples, 8 * MIN).journeys[0]?.errorRate).toBe(0.2026);
    const progress = ofType(events, 'action.progress');
    expect(progress.map((e) => [e.t, e.done, e.of])).toEqual([[7 * MIN, 1, 4], [8 * MIN, 2, 4], [9 * MIN, 3, 4]]);
    expect(describeEvent(progress[2] as EngineEvent)).toBe('Action “Roll back api”: 3/4 instances done.');
    const ended = ofType(events, 'fault.ended');
    expect(ended.map((e) => [e.t, e.fault, e.action])).toEqual([[10 * MIN, 'bad', 'rollback:api']]);
  });

  it('a restart of 4 instances never refuses everything: it serves at three quarters of capacity and keeps its queue', () => {
    const { samples, events } = run(chain({ instances: 4 }), 'restart');
    const api = (t: number) => service(at(samples, t), 'api');
    expect(api(5 * MIN).saturation).toBe(0.625);
    for (let t = ACT_AT; t < 10 * MIN; t += 10_000) {
      // 500 rps on 600 instead of 800: saturation × 4/3; nothing is refused, errors stay the fault's.
      expect(api(t).saturation, `at ${t}`).toBe(0.8333);
      expect(api(t).errorRate).toBe(0.4016);
    }
    expect(api(10 * MIN).saturation).toBe(0.625);
    expect(ofType(events, 'action.progress').map((e) => e.done)).toEqual([1, 2, 3]);
    // The service never goes `recovering` for the restart: its class follows its numbers.
    expect(ofType(events, 'service.state').filter((e) => e.service === 'api').map((e) => [e.t, e.to])).toEqual([[2 * MIN, 'degraded']]);
  });

  it('a rolling restart fades the faults it resolves, batch by batch', () => {
    const { samples } = run(chain({ instances: 4, actions: [{ type: 'restart', target: 'api', duration: '4m', resolves: ['bad'] }] }), 'restart');
    const api = (t: number) => service(at(samples, t), 'api');
    expect([6, 7, 8, 9, 10].map((m) => api(m * MIN).errorRate)).toEqual([0.4016, 0.3017, 0.2018, 0.1019, 0.002]);
    expect(api(9 * MIN).saturation).toBe(0.8333);
  });

  it('queues instead of refusing: two instances at 62.5% lose half their capacity and build a backlog', () => {
    const { samples } = run(chain({ instances: 2 }), 'restart');
    const during = samples.filter((x) => x.t >= ACT_AT && x.t < 10 * MIN).map((x) => service(x, 'api'));
    expect(Math.max(...during.map((a) => a.backlog ?? 0))).toBe(1138);
    // Nothing is refused: the errors are the fault's alone, never the restart's 100%.
    expect(Math.max(...during.map((a) => a.errorRate))).toBe(0.4016);
  });

  it('instances: 1 is today\'s behaviour: the restart refuses everything, no progress, the same log', () => {
    const one = run(chain({ instances: 1 }), 'restart');
    const plain = run(chain(), 'restart');
    expect(body(one.events)).toBe(body(plain.events));
    expect(service(at(one.samples, 7 * MIN), 'api').errorRate).toBe(1);
    expect(ofType(one.events, 'action.progress')).toEqual([]);
    const rollback = run(chain({ instances: 1 }), 'rollback');
    expect(service(at(rollback.samples, 9 * MIN), 'api').errorRate).toBe(0.4016);
    expect(service(at(rollback.samples, 10 * MIN), 'api').errorRate).toBe(0.002);
  });

  it('shows responders the progress in the console: "running 2/4 instances"', () => {
    const scenario = chain({ instances: 4 });
    const session = createSession(scenario);
    const model = modelFromWelcome({
      type: 'welcome', v: 1, sessionId: 's', role: 'responder', name: 'alice', participant: { id: 'p', name: 'alice' }, joinMode: 'code',
      scenario: publicScenario(scenario), snapshot: session.snapshot(), seq: -1, speed: 1, resumed: false,
    });
    const { events } = run(scenario, 'rollback', 8.5 * MIN);
    const visible = events.filter((e) => !isFacilitatorOnly(e));
    expect(visible.filter((e) => e.type === 'action.progress').length).toBe(2);
    expect(applyEvents(model, visible).running['rollback:api']?.progress).toEqual({ done: 2, of: 4 });
  });

  it('replays to the same bytes and checkpoints, progress events included', () => {
    const s = chain({ instances: 4, faults: [{ id: 'bad', kind: 'code-deploy', target: ['api', 'db'], at: '2m', effect: { errorRate: 0.4 }, rootCause: true }] });
    const session = runScenario(s, { until: 20 * MIN, commands: [{ at: ACT_AT, actor: 'alice', type: 'rollback', target: 'api' }, { at: 7.5 * MIN, actor: 'bob', type: 'restart', target: 'api' }] });
    expect(ofType(session.events, 'action.progress').length).toBe(6);
    const text = logText(session);
    expect(replayLog(text)).toEqual({ ok: true, events: session.events.length });
    expect(logText(runScenario(s, { until: 20 * MIN, commands: [{ at: ACT_AT, actor: 'alice', type: 'rollback', target: 'api' }, { at: 7.5 * MIN, actor: 'bob', type: 'restart', target: 'api' }] }))).toBe(text);
  });
});

describe('validation', () => {
  const base = (target: string, extra = '') => `
id: v
title: V
briefing: b
duration: 2h
services:
  - { id: web, tier: critical, baseline: { latencyMs: 20 }, capacity: 500, dependencies: [{ service: api, kind: hard }] }
  - { id: api, tier: critical, baseline: { latencyMs: 40 }, capacity: 400, instances: 3, dependencies: [{ service: db, kind: hard }] }
  - { id: db, tier: standard, baseline: { latencyMs: 5 }, capacity: 1000 }
journeys:
  - { id: shop, name: Shop, entry: web, rps: 50, valuePerRequest: 1, slo: { errorRate: 0.01, p99Ms: 800 } }
faults:
  - id: bad
    kind: code-deploy
    target: ${target}
    at: 5m
    effect: { errorRate: 0.3 }${extra}
actions:
  - { type: rollback, target: api, resolves: [bad] }
objectives: { ack: 5m, declare: 15m, mitigate: 45m, resolve: 90m }
`;
  const problems = (text: string) => {
    const result = loadScenarioText(text, 'v.yaml');
    return result.diagnostics.map((d) => `${d.line}: ${d.message} (${d.path})`);
  };

  it('accepts a list of targets and instances', () => {
    expect(problems(base('[api, db]'))).toEqual([]);
  });

  it('names an unknown target in a list, with a suggestion, at its place', () => {
    expect(problems(base('[api, dbb]'))).toEqual(['15: unknown service "dbb" (did you mean "db"?) (faults[0].target[1])']);
  });

  it('rejects a target listed twice, and an empty list', () => {
    expect(problems(base('[api, db, api]'))).toEqual(['15: fault "bad" lists "api" twice: already at target[0] (faults[0].target[2])']);
    expect(problems(base('[]'))).toEqual(['15: needs at least 1 item, got none (faults[0].target)']);
  });

  it('with `from`, needs `from` to call each target', () => {
    expect(problems(base('[api, db]', '\n    from: web'))).toEqual([
      '15: fault "bad" is on the call from "web" to "db", but "web" does not call "db" (faults[0].target[1])',
    ]);
    expect(problems(base('db', '\n    from: web'))).toEqual(['18: fault "bad" is on the call from "web" to "db", but "web" does not call "db" (faults[0].from)']);
  });

  it('needs whole instances, at least one', () => {
    expect(problems(base('api').replace('instances: 3', 'instances: 0'))).toEqual([expect.stringMatching(/^8: .*(services\[1\]\.instances)/)]);
    expect(problems(base('api').replace('instances: 3', 'instances: 1.5'))).toEqual([expect.stringMatching(/^8: .*(services\[1\]\.instances)/)]);
  });
});
