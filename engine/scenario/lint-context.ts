/** What every scenario check (lint.ts and its parts) is given, and the helpers they share. */
import type { Scenario } from '../protocol/scenario.ts';
import { didYouMean, type PathSegment, type Severity } from './diagnostics.ts';

export interface Ctx {
  s: Scenario;
  report: (path: PathSegment[], message: string, severity?: Severity) => void;
  services: Set<string>;
  faults: Set<string>;
  journeys: Set<string>;
}

export type FaultDef = Scenario['faults'][number];

/** A fault's targets with the path of each: `target` itself, or `target[j]` in a list. */
export function targetsOf(fault: FaultDef, i: number): [string, PathSegment[]][] {
  return typeof fault.target === 'string'
    ? [[fault.target, ['faults', i, 'target']]]
    : fault.target.map((target, j) => [target, ['faults', i, 'target', j]]);
}

export function unknown(kind: string, id: string, known: Set<string>): string {
  return `unknown ${kind} ${JSON.stringify(id)}${didYouMean(id, known)}`;
}
