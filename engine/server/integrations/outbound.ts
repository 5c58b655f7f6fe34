/**
 * The server's outbound integrations (docs/integrations.md): follows every live drill (Registry.follow)
 * and gives each one that chose an integration its own DrillOutbound. `close()` stops every queue and
 * timer at once, so a server that stops leaves nothing running.
 */
import type { IntegrationName } from '../../protocol/messages.ts';
import type { LiveDrill } from '../drill.ts';
import type { Logger } from '../logger.ts';
import { configuredIntegrations, type IntegrationsConfig } from './config.ts';
import { DrillOutbound } from './drill-outbound.ts';

export class Outbound {
  private readonly drills = new Map<string, DrillOutbound>();

  constructor(
    private readonly config: IntegrationsConfig,
    private readonly logger: Logger,
    /** The link back to a drill's console that messages carry (known once the server listens). */
    private readonly consoleUrl: (sessionId: string) => string,
  ) {}

  /**
   * The first fetch in a process loads its HTTP client synchronously (about 140 ms, measured), and the
   * first HTTP response compiles its parser (about 15 ms more): both paid once the server listens, on
   * a request to itself, rather than in the turn that sends a drill's first message, between its ticks.
   */
  warmUp(selfUrl: string): void {
    if (this.configured().length > 0) void fetch(`${selfUrl}/healthz`).then((r) => r.arrayBuffer(), () => undefined);
  }

  configured(): IntegrationName[] {
    return configuredIntegrations(this.config);
  }

  /** For Registry.follow: a drill that chose no integration gets nothing, and sends nothing. */
  attach(drill: LiveDrill): void {
    if ((drill.record.integrations ?? []).length === 0) return;
    const outbound = new DrillOutbound(drill, this.config, this.logger, this.consoleUrl(drill.id), () => this.drills.delete(drill.id));
    drill.integrationsStatus = () => outbound.status();
    if (!outbound.active) return;
    this.drills.set(drill.id, outbound);
    drill.listeners.add(outbound);
  }

  close(): void {
    for (const outbound of [...this.drills.values()]) outbound.close();
    this.drills.clear();
  }
}
