/**
 * The engine section of `npm run bench`: how fast a 6-hour drill is simulated headless, how that scales
 * with the size of the system, how much the engine adds over its bare per-tick arithmetic, and how big
 * the event log gets.
 *
 * Every figure is the median of timed runs after untimed warm-up runs. A "full run" is what `sevdrill run
 * --actions plan --out log.jsonl` does: simulate the whole scenario with the plan, serialise the log to
 * JSONL and write it to a temp file.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatClock, formatDuration } from '../engine/protocol/format.ts';
import { createHeader, serializeLog } from '../engine/core/log/log.ts';
import { createStream } from '../engine/core/physics/rng.ts';
import { FACILITATOR, runScenario, timedPlan } from '../engine/core/log/run.ts';
import { calibrate, computeTick, stepsPerTick, type NoiseSource } from '../engine/core/physics/cascade.ts';
import { createSimState, inputsChanged, simArrays, type SimState } from '../engine/core/physics/sim-state.ts';
import { timeOfDayMs, type TrafficShape } from '../engine/core/physics/traffic.ts';
import { createSession, type Session } from '../engine/core/session.ts';
import { summarizeRun } from '../engine/core/read/summary.ts';
import { compileTopology } from '../engine/core/physics/topology.ts';
import type { TimedCommand } from '../engine/protocol/commands.ts';
import { formatDiagnostic } from '../engine/scenario/diagnostics.ts';
import { loadScenarioText } from '../engine/scenario/load.ts';
import { resolveScenario } from '../engine/core/variation.ts';
import { loadPlanText } from '../engine/scenario/plan.ts';
import type { Scenario } from '../engine/protocol/scenario.ts';
import { CASCADE_ERROR_RATE, CASCADE_WITHIN_MS, DEFAULT_GENERATOR_SEED, buildScenario, cascadeShare, generatePlan } from './generate.ts';
import { profile, type ProfileReport } from './profile.ts';
import { fmt, linearFit, measure, time, type Summary } from './stats.ts';

/** Goals of issue 10 ("Speed"); speedupAt1000 is the goal for simSpeedupByServices["1000"]. */
const GOALS = { simSpeedup: 500_000, speedupAt1000: 20_000, nsPerElementStep: 60, engineVsBaseline: 2, cascadeShare: 1 / 3, logMiB: 10 } as const;
/** The generated size that nsPerElementStep, cascadeShare1000 and the speedup goal by size are measured on. */
const REFERENCE_SIZE = 1000;

/** The keys this section adds to the bench's JSON line. */
export interface EngineFigures {
  simSpeedup: number;
  simSpeedupByServices: Record<string, number>;
  /** Wall ns of the simulate phase per (service + edge) per fixed 2 s physics step, on the 1,000-service topology, with rest steps off (stepCost). */
  nsPerElementStep: number | null;
  /** Share of the 1,000-service run's ticks that ran at rest (one step instead of five: physics/quiet.ts). */
  restTickShare1000: number | null;
  /** ns per element per physics step actually taken as drills run (ticks at rest take one long step). */
  nsPerStepTaken1000: number | null;
  engineVsBaseline: number;
  /** Share of the 1,000-service topology's services above 5% errors 30 minutes after the root cause, untreated. */
  cascadeShare1000: number;
  logMiB: number;
}

export interface EngineBenchOptions {
  /** Repository root (where scenarios/ lives). */
  root: string;
  /** Timed runs per measurement (at least 5); cheap measurements take more. */
  runs: number;
  /** Sizes of the generated topologies. */
  services: readonly number[];
  /** Service count whose engine/baseline ratio is reported next to retail-sev1's. */
  baselineServices: number;
  /** Profile the engine when it misses the engine/baseline goal (or always, with 'always'). */
  profile: 'auto' | 'always' | 'never';
  print: (line?: string) => void;
}

const MiB = 1024 * 1024;
/**
 * Untimed runs before each measurement, the same for the engine and its baseline: V8 takes a few runs
 * of a 20 ms workload to finish optimising it, and with one warm-up the first timed runs of the
 * engine were still half-optimised while its baseline (measured after it) was not.
 */
const WARMUP_RUNS = 3;
const NODE_MAJOR = process.versions.node.split('.')[0] ?? 'unknown';

interface Workload {
  label: string;
  scenario: Scenario;
  commands: TimedCommand[];
  services: number;
  edges: number;
  ticks: number;
}

function workload(label: string, scenario: Scenario, commands: TimedCommand[]): Workload {
  return {
    label,
    scenario,
    commands,
    services: scenario.services.length,
    edges: scenario.services.reduce((sum, s) => sum + s.dependencies.length, 0),
    ticks: Math.ceil(scenario.duration / scenario.tick),
  };
}

/** One full headless run, timed by phase: simulate, serialise to JSONL, write to disk. */
function fullRun(w: Workload, file: string, commands = w.commands): { engine: number; serialise: number; write: number; bytes: number; events: number } {
  const sim = time(() => runScenario(w.scenario, { commands }));
  const session = sim.value;
  const text = time(() => serializeLog(createHeader(w.scenario, session.seed, NODE_MAJOR), session.events));
  const write = time(() => writeFileSync(file, text.value, 'utf8'));
  return { engine: sim.ms, serialise: text.ms, write: write.ms, bytes: Buffer.byteLength(text.value, 'utf8'), events: session.events.length };
}

/** Keeps the baseline's results observable, so no work can be optimised away. */
let baselineSink = 0;

/** The traffic shape the session builds from `scenario.traffic` (engine/core/state.ts). */
function trafficShape(scenario: Scenario): TrafficShape {
  return {
    startMs: timeOfDayMs(scenario.traffic.startAt),
    peakMs: timeOfDayMs(scenario.traffic.peakAt),
    amplitude: scenario.traffic.dailyAmplitude,
    correlationMs: scenario.traffic.correlation,
  };
}

/**
 * The inputs the engine's faults and actions give the physics, set between ticks (rules/faults.ts,
 * rules/actions.ts): everything else in the simulation state is the physics' own.
 */
const MODIFIERS = [
  'errAdd',
  'errKey',
  'latAdd',
  'latVar',
  'latMul',
  'capMul',
  'rpsMul',
  'capScale',
  'shed',
  'restarting',
  'edgeManualOpen',
  'edgeDisabled',
  'edgeRetries',
  'edgeBudget',
] as const satisfies readonly (keyof SimState)[];

/**
 * The modifiers of every tick of one engine run, stored as changes: tick t's changes are
 * entries start[t] .. start[t + 1] - 1, each (array, index, value). The baseline replays them, so it
 * runs the same physics as the engine (faults, the plan's actions, the cascade and its recovery),
 * not a healthy system that would cost less; applying a few changes per tick costs next to nothing.
 */
interface ModifierTrace {
  start: Int32Array;
  /** Ticks before which the engine's faults or actions marked the physics' inputs changed (inputsChanged). */
  changed: Uint8Array;
  which: Uint8Array;
  index: Int32Array;
  value: Float64Array;
  /** The engine's whole simulation state at the end, to check the baseline against. */
  final: (Float64Array | Int32Array | Uint8Array)[];
}

/** The session's simulation state. The bench reads it (and nothing else) to record the modifiers. */
function simOf(session: Session): SimState {
  const sim = (session as unknown as { state?: { sim?: SimState } }).state?.sim;
  if (!sim?.errAdd) throw new Error('invariant: the bench cannot find the session\'s simulation state');
  return sim;
}

/** Runs the workload as runScenario does (same time rule as log/fold.ts), one tick at a time, recording the modifiers. */
function recordModifiers(w: Workload): ModifierTrace {
  const { scenario } = w;
  const session = createSession(scenario);
  const sim = simOf(session);
  const tick = session.tickMs;
  const prev = MODIFIERS.map((key) => Float64Array.from(createSimState(compileTopology(scenario))[key]));
  const start: number[] = [];
  const which: number[] = [];
  const index: number[] = [];
  const value: number[] = [];
  const changed: number[] = [];
  // Counted from the last tick's end: a command between two ticks changes inputs too.
  let seen = sim.inputChanges;
  const runTo = (t: number): void => {
    while (session.now < t && session.phase === 'running') {
      session.runUntil(session.now + tick);
      changed.push(sim.inputChanges > seen ? 1 : 0);
      seen = sim.inputChanges;
      start.push(which.length);
      MODIFIERS.forEach((key, k) => {
        const cur = sim[key];
        const old = prev[k] as Float64Array;
        for (let i = 0; i < cur.length; i++) {
          const x = cur[i] as number;
          if (x === old[i] || (Number.isNaN(x) && Number.isNaN(old[i]))) continue;
          old[i] = x;
          which.push(k);
          index.push(i);
          value.push(x);
        }
      });
    }
  };
  const inputs = [{ at: 0, actor: FACILITATOR, type: 'start' } as TimedCommand, ...[...w.commands].sort((a, b) => a.at - b.at)];
  for (const { at, ...command } of inputs) {
    const due = Math.ceil(at / tick) * tick;
    if (due > scenario.duration) break;
    runTo(due);
    session.submit(command);
  }
  runTo(scenario.duration);
  start.push(which.length);
  if (start.length !== w.ticks + 1) throw new Error(`invariant: recorded ${start.length - 1} ticks, expected ${w.ticks}`);
  return {
    start: Int32Array.from(start),
    changed: Uint8Array.from(changed),
    which: Uint8Array.from(which),
    index: Int32Array.from(index),
    value: Float64Array.from(value),
    final: simArrays(sim).map((a) => a.slice()),
  };
}

/** Physics steps one run of the workload takes (ticks at rest take fewer: engine/core/physics/quiet.ts). */
function stepsTaken(w: Workload): number {
  const before = simOf(createSession(w.scenario)).step;
  return simOf(runScenario(w.scenario, { commands: w.commands })).step - before;
}

/**
 * The simulate phase with rest steps off (SessionOptions.restSteps): every tick takes its fixed 2 s
 * steps, so the time per step is the steps' own cost, not shared with the per-tick work of a rest tick.
 */
function stepCost(w: Workload, runs: number): { median: number; summary: Summary; steps: number } {
  let steps = 0;
  const m = measure(() => {
    const session = runScenario(w.scenario, { commands: w.commands, restSteps: false });
    steps = simOf(session).step;
  }, { warmup: WARMUP_RUNS, runs });
  const { steps: perTick } = stepsPerTick(w.scenario.tick);
  const before = simOf(createSession(w.scenario, { restSteps: false })).step;
  if (steps - before !== w.ticks * perTick) throw new Error(`invariant: ${steps - before} fixed steps, expected ${w.ticks * perTick}`);
  return { median: m.total.median, summary: m.total, steps: steps - before };
}

/**
 * The plain-loop baseline: the engine's physics with no machines, events, alerts or log. Same
 * topology, calibration, traffic shape and seeded noise streams (drawTraffic, three draws per service
 * every NOISE_MS, inside computeTick), the modifiers the engine's faults and plan set each tick
 * (replayed), then computeTick, for the same number of ticks. Setup is timed too, as it is for the engine.
 */
function baselineRun(w: Workload, trace: ModifierTrace): SimState {
  const { scenario } = w;
  const topo = compileTopology(scenario);
  const sim = createSimState(topo);
  const noise: NoiseSource = { streams: topo.ids.map((id) => createStream(scenario.seed, `noise:${id}`)), shape: trafficShape(scenario) };
  const tickMs = scenario.tick;
  const arrays = MODIFIERS.map((key) => sim[key]);
  calibrate(topo, sim);
  for (let t = 0; t < w.ticks; t++) {
    for (let c = trace.start[t] as number; c < (trace.start[t + 1] as number); c++) {
      (arrays[trace.which[c] as number] as Float64Array)[trace.index[c] as number] = trace.value[c] as number;
    }
    if (trace.changed[t] === 1) inputsChanged(sim);
    computeTick(topo, sim, tickMs, t * tickMs, noise);
  }
  baselineSink += sim.errorRate[0] as number;
  return sim;
}

/** The baseline must compute exactly what the engine computed: every array of the final state, bit for bit. */
function checkBaseline(w: Workload, trace: ModifierTrace): void {
  const mine = simArrays(baselineRun(w, trace));
  const same = mine.length === trace.final.length && mine.every((a, i) => {
    const b = trace.final[i] as typeof a;
    return a.length === b.length && Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));
  });
  if (!same) throw new Error(`invariant: the plain-loop baseline of ${w.label} does not reproduce the engine's simulation state`);
}

interface WorkloadResult {
  w: Workload;
  full: Summary;
  engine: Summary;
  serialise: Summary;
  write: Summary;
  bytes: number;
  events: number;
  speedup: number;
  baseline?: Summary;
  ratio?: number;
}

function benchWorkload(w: Workload, file: string, runs: number, withBaseline: boolean, baselineRuns: number): WorkloadResult {
  let last = { bytes: 0, events: 0 };
  const m = measure<'engine' | 'serialise' | 'write'>(() => {
    const r = fullRun(w, file);
    last = r;
    return { engine: r.engine, serialise: r.serialise, write: r.write };
  }, { warmup: WARMUP_RUNS, runs });
  const result: WorkloadResult = {
    w,
    full: m.total,
    engine: m.phases.engine,
    serialise: m.phases.serialise,
    write: m.phases.write,
    bytes: last.bytes,
    events: last.events,
    speedup: w.scenario.duration / m.total.median,
  };
  if (withBaseline) {
    const trace = recordModifiers(w);
    checkBaseline(w, trace);
    const b = measure(() => {
      baselineRun(w, trace);
    }, { warmup: WARMUP_RUNS, runs: baselineRuns });
    // Reading the sink keeps the baseline's work observable (and a NaN would mean a broken baseline).
    if (!Number.isFinite(baselineSink)) throw new Error('invariant: the baseline computed NaN');
    result.baseline = b.total;
    result.ratio = m.phases.engine.median / b.total.median;
  }
  return result;
}

const ms = (x: number): string => `${fmt(x)} ms`;
const spread = (s: Summary): string => `p10 ${fmt(s.p10)} – p90 ${fmt(s.p90)}, n=${s.n}`;
const mark = (ok: boolean): string => (ok ? 'ok' : 'MISSED');
const pct = (x: number): string => `${(100 * x).toFixed(1)}%`;

function loadRetail(root: string): { scenario: Scenario; commands: TimedCommand[] } {
  const scenarioFile = join(root, 'scenarios/retail-sev1.yaml');
  const planFile = join(root, 'scenarios/plans/retail-sev1.plan.yaml');
  const loaded = loadScenarioText(readFileSync(scenarioFile, 'utf8'), scenarioFile);
  if (!loaded.ok) throw new Error(`cannot load ${scenarioFile}:\n${loaded.diagnostics.map((d) => formatDiagnostic(d)).join('\n')}`);
  const plan = loadPlanText(readFileSync(planFile, 'utf8'), planFile);
  if (!plan.ok) throw new Error(`cannot load ${planFile}:\n${plan.diagnostics.map((d) => formatDiagnostic(d)).join('\n')}`);
  // The scenario as its own seed draws it: the bench runs that one seed.
  return { scenario: resolveScenario(loaded.scenario, loaded.scenario.seed).scenario, commands: timedPlan(loaded.scenario, plan.plan.commands) };
}

function describeRun(w: Workload, print: (line?: string) => void): void {
  const session = runScenario(w.scenario, { commands: w.commands });
  const s = summarizeRun(w.scenario, session.seed, session.events);
  const at = (t: number | null | undefined): string => (t === null || t === undefined ? '—' : formatClock(t));
  print(
    `  plan check: ${s.commands.accepted}/${s.commands.accepted + s.commands.rejected} commands accepted; impact ${at(s.impactStart)} → ${at(s.impactEnd)}, ` +
      `first page ${at(s.firstPage?.t)}, mitigated ${at(s.milestones.mitigated)}, resolved ${at(s.milestones.resolved)}`,
  );
}

/** Prints where the engine's time goes: the tick's stages (inclusive) and the hottest functions (self). */
function printProfile(report: ProfileReport, w: Workload, print: (line?: string) => void): void {
  const fn = (name: string) => report.functions.find((f) => f.name.startsWith(`${name} `));
  const root = fn('runScenario')?.inclusive ?? 1;
  const share = (x: number) => pct(x / root);
  const stages = ['runAgenda', 'applyFaults', 'drawTraffic', 'computeTick', 'updateServices', 'updateJourneys', 'evaluateAlerts', 'flushMinuteIfDue', 'checkpointHash', 'createSession']
    .map((name) => ({ name, f: fn(name) }))
    .filter((x) => x.f !== undefined)
    .sort((a, b) => (b.f?.inclusive ?? 0) - (a.f?.inclusive ?? 0));
  print(`    by stage (inclusive, share of runScenario): ${stages.map((x) => `${x.name} ${share(x.f?.inclusive ?? 0)}`).join(' · ')}`);
  const hot = [...report.functions].sort((a, b) => b.self - a.self).slice(0, 10);
  print(`    hottest functions (self time): ${hot.map((f) => `${f.name} ${share(f.self)}`).join(' · ')}`);
  const arithmetic = fn('computeTick')?.inclusive ?? 0;
  print(`    the baseline's work (computeTick, traffic draws included) is ${share(arithmetic)} of the simulate phase; the rest is what the engine adds around it.`);
  const checkpoint = fn('checkpointHash');
  if (checkpoint && checkpoint.inclusive / root > 0.05) {
    print(
      `    checkpointHash (engine/core/checkpoint.ts, ${share(checkpoint.inclusive)}): runs once per simulated minute` +
        ` (${Math.floor(w.scenario.duration / 60_000)}× per run) and hashes the whole simulation state.`,
    );
  }
  const named = report.functions.filter((f) => f.name.startsWith('__name '));
  const namedShare = named.reduce((sum, f) => sum + f.inclusive, 0);
  if (namedShare / root > 0.02) {
    const files = named.filter((f) => f.inclusive / root >= 0.01).map((f) => f.name.slice('__name '.length));
    print(
      `    __name (${share(namedShare)}, in ${files.join(', ')}) is tsx/esbuild's keepNames wrapper: each named closure created at run time costs an` +
        ` Object.defineProperty (the "set … ← __name" natives): avoid creating closures in per-tick code.`,
    );
  }
}

export async function runEngineBench(options: EngineBenchOptions): Promise<EngineFigures> {
  const { print } = options;
  const runs = Math.max(5, options.runs);
  const dir = mkdtempSync(join(tmpdir(), 'sevdrill-bench-'));
  const file = join(dir, 'log.jsonl');
  try {
    // retail-sev1 with its reference plan: the headline figures.
    const retail = loadRetail(options.root);
    const rw = workload('retail-sev1', retail.scenario, retail.commands);
    print(
      `retail-sev1: ${rw.services} services, ${rw.edges} edges, ${rw.ticks} ticks (${formatDuration(rw.scenario.duration)} at ${formatDuration(rw.scenario.tick)}), reference plan (${rw.commands.length} commands)`,
    );
    describeRun(rw, print);
    const r = benchWorkload(rw, file, runs * 3, true, runs * 4);
    const untreated = fullRun(rw, file, []);
    print(
      `  full run (simulate + JSONL + write): median ${ms(r.full.median)} [${spread(r.full)}] → ${fmt(r.speedup)}× real time  (goal ≥ ${fmt(GOALS.simSpeedup)}×: ${mark(r.speedup >= GOALS.simSpeedup)})`,
    );
    print(`    phases (medians): simulate ${ms(r.engine.median)} · serialise ${ms(r.serialise.median)} · write ${ms(r.write.median)}`);
    print(
      `  log: ${r.events} events, ${fmt(r.bytes / MiB, 3)} MiB with the plan; untreated (no plan) ${untreated.events} events, ${fmt(untreated.bytes / MiB, 3)} MiB  (limit ${GOALS.logMiB} MiB: ${mark(Math.max(r.bytes, untreated.bytes) / MiB <= GOALS.logMiB)})`,
    );
    print(
      `  plain-loop baseline (computeTick with the run's fault and action modifiers replayed, no machines/events/alerts/log): median ${ms(r.baseline?.median ?? NaN)} [${spread(r.baseline as Summary)}]`,
    );
    print(`  engine / baseline: ${fmt(r.ratio ?? NaN)}× (simulate phase ${ms(r.engine.median)} vs ${ms(r.baseline?.median ?? NaN)}; goal ≤ ${GOALS.engineVsBaseline}×: ${mark((r.ratio ?? Infinity) <= GOALS.engineVsBaseline)})`);
    print(
      `    per tick: engine ${fmt((1000 * r.engine.median) / rw.ticks)} µs, baseline ${fmt((1000 * (r.baseline?.median ?? NaN)) / rw.ticks)} µs;` +
        ` full run (with JSONL + write) / baseline: ${fmt(r.full.median / (r.baseline?.median ?? NaN))}×`,
    );
    print();

    // Generated topologies: how the cost grows with the size of the system.
    print(`generated topologies (bench/generate.ts, seed ${DEFAULT_GENERATOR_SEED}, ~2 edges per service, 6h at 10s, generated reference plan):`);
    const results: WorkloadResult[] = [];
    for (const n of options.services) {
      const gen = time(() => buildScenario({ services: n }));
      const { scenario, diagnostics } = gen.value;
      const w = workload(`${n} services`, scenario, generatePlan(scenario));
      print(
        `  ${n} services: ${w.edges} edges, ${scenario.journeys.length} journeys, ${scenario.alerts.length} alerts, ${scenario.faults.length} faults; generated and validated in ${ms(gen.ms)}` +
          (diagnostics.length > 0 ? ` (${diagnostics.length} warnings)` : ''),
      );
      describeRun(w, print);
      // Cheap sizes get more runs; the largest gets the minimum.
      const wRuns = n <= 10 ? runs * 2 : runs;
      results.push(benchWorkload(w, file, wRuns, n === options.baselineServices, runs * 4));
    }
    print();
    const header = ['services', 'edges', 'full run ms', 'simulate ms', 'speedup', 'µs/tick', 'µs per (svc+edge) per tick', 'events', 'log MiB'];
    const rows = [rw, ...results.map((x) => x.w)].map((w, i) => {
      const x = i === 0 ? r : (results[i - 1] as WorkloadResult);
      const size = w.services + w.edges;
      return [
        i === 0 ? `${w.services} (retail)` : String(w.services),
        String(w.edges),
        fmt(x.full.median),
        fmt(x.engine.median),
        `${fmt(x.speedup)}×`,
        fmt((1000 * x.full.median) / w.ticks),
        `${fmt((1000 * x.full.median) / w.ticks / size)} (sim ${fmt((1000 * x.engine.median) / w.ticks / size)})`,
        String(x.events),
        fmt(x.bytes / MiB, 3),
      ];
    });
    const widths = header.map((h, c) => Math.max(h.length, ...rows.map((row) => (row[c] as string).length)));
    const line = (cells: string[]) => `  ${cells.map((cell, c) => (c === 0 ? cell.padEnd(widths[c] as number) : cell.padStart(widths[c] as number))).join('  ')}`;
    print(line(header));
    for (const row of rows) print(line(row));
    if (results.length >= 2) {
      const xs = results.map((x) => x.w.services + x.w.edges);
      const ys = results.map((x) => (1000 * x.full.median) / x.w.ticks);
      const fit = linearFit(xs, ys);
      print(`  per-tick cost fit over the generated sizes: ${fmt(fit.a)} µs + ${fmt(fit.b)} µs × (services + edges), R² = ${fit.r2.toFixed(4)}`);
      const perElement = (x: WorkloadResult) => (1000 * x.full.median) / x.w.ticks / (x.w.services + x.w.edges);
      const small = results[results.length - 2] as WorkloadResult;
      const big = results[results.length - 1] as WorkloadResult;
      const growth = perElement(big) / perElement(small);
      const sizeGrowth = (big.w.services + big.w.edges) / (small.w.services + small.w.edges);
      print(
        `  scaling: µs per (service+edge) per tick goes ${fmt(perElement(small))} → ${fmt(perElement(big))} (×${growth.toFixed(2)}) while the size grows ×${fmt(sizeGrowth)}: ` +
          (growth <= 1.5 ? 'linear in services + edges.' : 'SUPERLINEAR — something grows faster than the graph.'),
      );
    }
    const ref = results.find((x) => x.w.services === REFERENCE_SIZE);
    let nsPerElementStep: number | null = null;
    let nsPerStepTaken: number | null = null;
    let restShare: number | null = null;
    if (ref) {
      const { steps } = stepsPerTick(ref.w.scenario.tick);
      const elements = ref.w.services + ref.w.edges;
      // The steps' own cost: the same run with every tick on its fixed 2 s steps, at rest too.
      const fixed = stepCost(ref.w, runs);
      nsPerElementStep = (1e6 * fixed.median) / (fixed.steps * elements);
      const stepped = stepsTaken(ref.w);
      // A tick at rest takes one long step instead of `steps` short ones (engine/core/physics/quiet.ts).
      const { steps: restSteps } = stepsPerTick(ref.w.scenario.tick, true);
      restShare = steps > restSteps ? (ref.w.ticks * steps - stepped) / (ref.w.ticks * (steps - restSteps)) : 0;
      nsPerStepTaken = (1e6 * ref.engine.median) / (stepped * elements);
      print(
        `  ${ref.w.label}: ${fmt(ref.speedup)}× real time (goal ≥ ${fmt(GOALS.speedupAt1000)}×: ${mark(ref.speedup >= GOALS.speedupAt1000)})`,
      );
      print(
        `    fixed 2 s steps (rest steps off): simulate ${ms(fixed.median)} [${spread(fixed.summary)}] over ${fmt(fixed.steps)} steps × ${elements} (services + edges) ` +
          `= ${fmt(nsPerElementStep)} ns per element per step (goal ≤ ${GOALS.nsPerElementStep} ns: ${mark(nsPerElementStep <= GOALS.nsPerElementStep)})`,
      );
      print(
        `    as drills run (${pct(restShare)} of the ${ref.w.ticks} ticks at rest, one 10 s step each; the others ${steps} steps): simulate ${ms(ref.engine.median)} ` +
          `over ${fmt(stepped)} steps taken = ${fmt(nsPerStepTaken)} ns per element per step taken, ${fmt((1e6 * ref.engine.median) / (ref.w.ticks * steps * elements))} ns per element per 2 s simulated`,
      );
    } else {
      print(`  nsPerElementStep: not measured (the ${REFERENCE_SIZE}-service topology is not in --services)`);
    }
    const bw = results.find((x) => x.ratio !== undefined);
    if (bw) {
      print(
        `  ${bw.w.label}: engine / baseline ${fmt(bw.ratio ?? NaN)}× (simulate ${ms(bw.engine.median)} vs plain loop ${ms(bw.baseline?.median ?? NaN)} [${spread(bw.baseline as Summary)}])`,
      );
    }

    // Where the time goes, when the engine adds more than the goal allows over its arithmetic.
    const missed = (r.ratio ?? 0) > GOALS.engineVsBaseline || (bw?.ratio ?? 0) > GOALS.engineVsBaseline;
    if (options.profile === 'always' || (options.profile === 'auto' && missed)) {
      print();
      print('where the engine time goes (in-process V8 CPU profile, simulate phase only):');
      const retailProfile = await profile(() => {
        for (let i = 0; i < 10; i++) runScenario(rw.scenario, { commands: rw.commands });
      }, { within: 'runScenario' });
      print(`  retail-sev1 (10 runs, ${fmt(retailProfile.totalMs)} ms sampled):`);
      printProfile(retailProfile, rw, print);
      if (bw) {
        const bigProfile = await profile(() => {
          for (let i = 0; i < 2; i++) runScenario(bw.w.scenario, { commands: bw.w.commands });
        }, { within: 'runScenario' });
        print(`  ${bw.w.label} (2 runs, ${fmt(bigProfile.totalMs)} ms sampled):`);
        printProfile(bigProfile, bw.w, print);
      }
    }

    // Does the generated topology really cascade? Otherwise the figures above time a quiet system.
    print();
    const big = ref?.w.scenario ?? buildScenario({ services: REFERENCE_SIZE }).scenario;
    const share = time(() => cascadeShare(big));
    print(
      `cascade (${REFERENCE_SIZE} generated services, untreated): ${pct(share.value)} of the services above ${pct(CASCADE_ERROR_RATE)} errors ` +
        `${formatDuration(CASCADE_WITHIN_MS)} after the root cause (goal ≥ ${pct(GOALS.cascadeShare)}: ${mark(share.value >= GOALS.cascadeShare)}; measured in ${ms(share.ms)})`,
    );

    const byServices: Record<string, number> = {};
    for (const x of results) byServices[String(x.w.services)] = Math.round(x.speedup);
    return {
      simSpeedup: Math.round(r.speedup),
      simSpeedupByServices: byServices,
      nsPerElementStep: nsPerElementStep === null ? null : Math.round(nsPerElementStep * 10) / 10,
      nsPerStepTaken1000: nsPerStepTaken === null ? null : Math.round(nsPerStepTaken * 10) / 10,
      restTickShare1000: restShare === null ? null : Math.round(restShare * 1000) / 1000,
      engineVsBaseline: Math.round((r.ratio ?? NaN) * 100) / 100,
      cascadeShare1000: Math.round(share.value * 1000) / 1000,
      logMiB: Math.round((r.bytes / MiB) * 1000) / 1000,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
