/** The shipped scenarios, loaded and validated once at startup. */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { formatDiagnostic } from '../scenario/diagnostics.ts';
import { loadScenarioText } from '../scenario/load.ts';
import type { Scenario } from '../protocol/scenario.ts';
import type { ScenarioListing } from '../protocol/messages.ts';

export class Catalog {
  private readonly scenarios = new Map<string, Scenario>();

  constructor(dir: string, warn: (message: string) => void = () => {}) {
    for (const name of readdirSync(dir).filter((f) => /\.(ya?ml|json)$/.test(f) && !f.endsWith('.schema.json')).sort()) {
      const file = join(dir, name);
      const result = loadScenarioText(readFileSync(file, 'utf8'), file);
      if (result.ok) this.scenarios.set(result.scenario.id, result.scenario);
      else for (const d of result.diagnostics) warn(formatDiagnostic(d));
    }
  }

  get(id: string): Scenario | undefined {
    return this.scenarios.get(id);
  }

  list(): ScenarioListing[] {
    return [...this.scenarios.values()].map(listing);
  }
}

export function listing(s: Scenario): ScenarioListing {
  return {
    id: s.id,
    title: s.title,
    briefing: s.briefing,
    services: s.services.map((x) => ({ id: x.id, name: x.name ?? x.id, tier: x.tier })),
    defaultSeed: s.seed,
    duration: s.duration,
  };
}
