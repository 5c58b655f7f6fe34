/**
 * Availability as customers felt it: the share of journey requests that did not fail because of the
 * incident, over a whole run. A campaign (a "week" of drills) is scored on the total over its runs.
 */
import type { EngineEvent } from '../protocol/events.ts';

export interface Availability {
  requests: number;
  failed: number;
  /** 1 − failed ÷ requests; 1 when there was no traffic. */
  availability: number;
}

export function availabilityOf(events: readonly EngineEvent[]): Availability {
  let requests = 0;
  let failed = 0;
  for (const e of events) {
    if (e.type !== 'impact.minute') continue;
    for (const j of Object.values(e.journeys)) {
      requests += j.requests;
      failed += j.failed;
    }
  }
  return { requests, failed, availability: requests > 0 ? round(1 - failed / requests) : 1 };
}

export function combineAvailability(parts: readonly Availability[]): Availability {
  const requests = parts.reduce((sum, p) => sum + p.requests, 0);
  const failed = parts.reduce((sum, p) => sum + p.failed, 0);
  return { requests, failed, availability: requests > 0 ? round(1 - failed / requests) : 1 };
}

const round = (x: number) => Math.round(x * 1e6) / 1e6;
