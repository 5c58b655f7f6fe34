/**
 * Step-level details of the physics (engine/core/physics/step.ts) that no scenario-level test sees
 * directly: the queueing wait under load that creeps between traffic draws, the callers each
 * service tells when its answer moves, and the bench's switch that keeps every tick on 2 s steps.
 */
import { describe, expect, it } from 'vitest';
import { compileTopology } from '../../engine/core/physics/topology.ts';
import { createSimState, type SimState } from '../../engine/core/physics/sim-state.ts';
import { calibrate } from '../../engine/core/physics/cascade.ts';
import { demandPass, healthPass } from '../../engine/core/physics/step.ts';
import { createSession, type Session } from '../../engine/core/session.ts';
import { loadScenario, tinyScenario } from '../helpers.ts';

const simOf = (session: Session): SimState => (session as unknown as { state: { sim: SimState } }).state.sim;

describe('the queueing wait of a busy service', () => {
  // One service with about 56 workers (2,500 rps × its mean time in service), no dependencies.
  const scenario = tinyScenario({
    services: [{ id: 'web', tier: 'critical', baseline: { latencyMs: 20, errorRate: 0 }, capacity: 2500, dependencies: [] }],
    journeys: [{ id: 'shop', name: 'Shop', entry: 'web', rps: 2000, valuePerRequest: 1, slo: { errorRate: 0.01, p99Ms: 1000 } }],
    // Never reached: the passes are stepped directly below, with no session around them.
    faults: [{ id: 'web-bad-deploy', kind: 'code-deploy', target: 'web', at: '50m', effect: { errorRate: 0.9 }, rootCause: true }],
    actions: [{ type: 'rollback', target: 'web', duration: '2m', resolves: ['web-bad-deploy'] }],
  });
  const topo = compileTopology(scenario);
  const sim = createSimState(topo);
  calibrate(topo, sim);
  const workers = sim.workers[0] as number;
  const k = sim.waitExponent[0] as number;
  const mean = sim.serviceMean[0] as number;
  /** Sakasegawa's M/M/c wait, computed here from scratch. */
  const exact = (busy: number): number => (mean * busy ** k) / (workers * (1 - busy));
  /** One step with the service's arrivals set to give `busy`; returns the wait the pass published. */
  const stepAt = (busy: number): number => {
    sim.noiseRps[0] = 1;
    sim.rpsMul[0] = (busy * (sim.throughput[0] as number)) / 2000;
    demandPass(topo, sim, 2000);
    healthPass(topo, sim, 2000);
    return sim.waitMs[0] as number;
  };

  it('is the exact formula after a real move, and within 5e-7 of it while the load only creeps', () => {
    expect(workers).toBeGreaterThan(8);
    const start = stepAt(0.9);
    expect(start).toBeCloseTo(exact(0.9), 9);
    // Creeping up by parts in a million: the last power is moved to first order, not recomputed.
    for (let i = 1; i <= 20; i++) {
      const busy = 0.9 * (1 + i * 1e-6);
      const wait = stepAt(busy);
      expect(Math.abs(wait / exact(busy) - 1)).toBeLessThan(5e-7);
    }
    expect(sim.lastBusy[0]).toBe(0.9);
    // A move of 2%: computed afresh, and remembered.
    expect(stepAt(0.918)).toBeCloseTo(exact(0.918), 9);
    expect(sim.lastBusy[0]).toBeCloseTo(0.918, 12);
    expect(stepAt(0.918)).toBe(stepAt(0.918));
  });
});

describe('callers', () => {
  it('are the edges turned round, one entry per edge', () => {
    const topo = compileTopology(loadScenario('retail-sev1'));
    const turned: string[] = [];
    for (let s = 0; s < topo.n; s++) {
      for (let c = topo.callerStart[s] as number; c < (topo.callerStart[s + 1] as number); c++) turned.push(`${topo.ids[topo.callerOf[c] as number]}→${topo.ids[s]}`);
    }
    const edges: string[] = [];
    for (let s = 0; s < topo.n; s++) {
      for (let e = topo.edgeStart[s] as number; e < (topo.edgeStart[s + 1] as number); e++) edges.push(`${topo.ids[s]}→${topo.ids[topo.edgeTo[e] as number]}`);
    }
    expect(turned.length).toBe(topo.edgeCount);
    expect(turned.sort()).toEqual(edges.sort());
    expect(topo.callerStart[topo.n]).toBe(topo.edgeCount);
  });
});

describe('rest steps off (the bench times the fixed steps this way)', () => {
  const retail = loadScenario('retail-sev1');
  /** Steps taken by each of the first `count` ticks. */
  const stepsPerTick = (session: Session, count: number): number[] => {
    const sim = simOf(session);
    session.submit({ actor: 'facilitator', type: 'start' });
    const out: number[] = [];
    for (let i = 0; i < count; i++) {
      const before = sim.step;
      session.runUntil(session.now + session.tickMs);
      out.push(sim.step - before);
    }
    return out;
  };

  it('keeps every tick on its five 2 s steps, where a drill rests on one, and the checkpoints tell them apart', () => {
    const drill = createSession(retail);
    const fixed = createSession(retail, { restSteps: false });
    expect(new Set(stepsPerTick(drill, 6))).toEqual(new Set([1]));
    expect(new Set(stepsPerTick(fixed, 6))).toEqual(new Set([5]));
    expect(fixed.checkpoint()).not.toBe(drill.checkpoint());
    // The same quiet minute either way, to within the rest steps' tolerances.
    const a = drill.sample();
    const b = fixed.sample();
    expect(a.services.map((x) => x.id)).toEqual(b.services.map((x) => x.id));
    a.services.forEach((x, i) => {
      const y = b.services[i];
      expect(x.rps).toBeCloseTo(y?.rps ?? NaN, 0);
      expect(Math.abs(x.p99Ms / (y?.p99Ms ?? NaN) - 1)).toBeLessThan(0.01);
    });
  });
});
