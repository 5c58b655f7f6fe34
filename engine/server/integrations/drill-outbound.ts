/**
 * One drill's outbound integrations: a DrillListener that turns each batch's public events into the
 * messages of every integration the drill chose, and one delivery queue per integration. It runs in
 * the tick (batch) and so only translates and queues; the queues send in later turns.
 *
 * Only what responders may see leaves the server: the batch goes through the drill's public view
 * first (audience.ts), so faults and injects never reach a team's tools.
 */
import { namesOf } from '../../protocol/describe.ts';
import type { EngineEvent } from '../../protocol/events.ts';
import { INTEGRATIONS, type IntegrationName, type IntegrationStatus, type IntegrationsMessage } from '../../protocol/messages.ts';
import { publicScenario } from '../../core/read/visibility.ts';
import type { DrillListener, LiveDrill } from '../drill.ts';
import type { Logger } from '../logger.ts';
import { alertmanagerIntegration } from './alertmanager.ts';
import { configuredIntegrations, type IntegrationsConfig } from './config.ts';
import type { DrillContext, Integration } from './integration.ts';
import { pagerdutyIntegration } from './pagerduty.ts';
import { DeliveryQueue } from './queue.ts';
import { slackIntegration } from './slack.ts';
import { webhookIntegration } from './webhook.ts';

/** Status frames to the facilitator are coalesced: a burst of deliveries is one redraw. */
const STATUS_DEBOUNCE_MS = 500;

interface Target {
  integration: Integration;
  queue: DeliveryQueue;
}

export class DrillOutbound implements DrillListener {
  private readonly targets = new Map<IntegrationName, Target>();
  private resendTimer: NodeJS.Timeout | null = null;
  private statusTimer: NodeJS.Timeout | null = null;
  private finishing = false;
  private closed = false;

  constructor(
    private readonly drill: LiveDrill,
    private readonly config: IntegrationsConfig,
    private readonly logger: Logger,
    consoleUrl: string,
    /** Called once every queue has emptied after the drill stopped, or on close. */
    private readonly onDone: () => void,
  ) {
    const context: DrillContext = {
      sessionId: drill.id,
      scenarioId: drill.scenario.id,
      scenarioTitle: drill.scenario.title,
      names: namesOf(publicScenario(drill.scenario)),
      consoleUrl,
    };
    const secrets = [config.pagerduty?.routingKey, config.webhook?.secret, config.slack?.url, config.webhook?.url, config.pagerduty?.url, config.alertmanager?.url].filter(
      (s): s is string => typeof s === 'string',
    );
    for (const name of drill.record.integrations ?? []) {
      const integration = this.integrationFor(name, context);
      if (!integration) {
        // Chosen when the drill was created, gone from the server's settings since (a restart).
        this.logger.warn({ sessionId: drill.id, integration: name }, `drill ${drill.id} chose the integration ${name}, which this server no longer has configured; nothing is sent to it`);
        continue;
      }
      const queue = new DeliveryQueue(config.delivery, this.hooksFor(name), secrets);
      this.targets.set(name, { integration, queue });
    }
    if (this.targets.has('alertmanager')) {
      this.resendTimer = setInterval(() => this.resend(), config.delivery.alertmanagerResendMs);
      this.resendTimer.unref();
    }
  }

  get active(): boolean {
    return this.targets.size > 0;
  }

  batch(drill: LiveDrill, events: readonly EngineEvent[]): void {
    if (this.finishing || this.closed) return;
    const visible = drill.sequence.view('public', events);
    if (visible.length === 0) return;
    const at = new Date();
    for (const { integration, queue } of this.targets.values()) for (const message of integration.events(visible, at)) queue.push(message);
  }

  stopped(drill: LiveDrill): void {
    // A server shutting down releases its live drills too; they carry on after the restart, so their
    // alerts and pages stay open. Only a drill that really stopped resolves them.
    if (drill.status === 'live') return this.close();
    this.finishing = true;
    this.stopResending();
    const at = new Date();
    for (const { integration, queue } of this.targets.values()) for (const message of integration.stopped(at)) queue.push(message);
    this.finishIfIdle();
  }

  status(): IntegrationsMessage {
    const configured = new Set(configuredIntegrations(this.config));
    const integrations: IntegrationStatus[] = INTEGRATIONS.filter((name) => configured.has(name) || (this.drill.record.integrations ?? []).includes(name)).map((name) => {
      const target = this.targets.get(name);
      const counts = target?.queue.status() ?? { sent: 0, pending: 0, gaveUp: 0, dropped: 0, lastError: null, lastSuccessAt: null };
      return { name, on: target !== undefined, configured: configured.has(name), ...counts };
    });
    return { type: 'integrations', integrations };
  }

  /** Stops everything now: the server is closing. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.stopResending();
    if (this.statusTimer !== null) clearTimeout(this.statusTimer);
    this.statusTimer = null;
    for (const { queue } of this.targets.values()) {
      const pending = queue.status().pending;
      if (pending > 0) this.logger.warn({ sessionId: this.drill.id }, `${pending} message(s) for drill ${this.drill.id} were not sent before the server stopped`);
      queue.close();
    }
    this.onDone();
  }

  private integrationFor(name: IntegrationName, context: DrillContext): Integration | null {
    const c = this.config;
    switch (name) {
      case 'alertmanager':
        return c.alertmanager && alertmanagerIntegration(c.alertmanager.url, context, c.delivery.alertmanagerResendMs);
      case 'pagerduty':
        return c.pagerduty && pagerdutyIntegration(c.pagerduty, context);
      case 'slack':
        return c.slack && slackIntegration(c.slack.url, context);
      case 'webhook':
        return c.webhook && webhookIntegration(c.webhook, context);
    }
  }

  private hooksFor(name: IntegrationName) {
    const where = { sessionId: this.drill.id, integration: name };
    let warned = false;
    let lastGiveUpLog = -Infinity;
    let unlogged = 0;
    return {
      changed: () => this.statusChanged(),
      failed: (error: string, final: boolean) => {
        // The first failure says what is wrong; a receiver that stays down then gives every message
        // up in turn, and one line a minute counts them.
        if (!warned) this.logger.warn({ ...where, errorCode: 'integration-failing' }, `${name} for drill ${this.drill.id} is failing: ${error}`);
        warned = true;
        if (!final) return;
        unlogged++;
        const now = performance.now();
        if (now - lastGiveUpLog < 60_000) return;
        lastGiveUpLog = now;
        this.logger.warn({ ...where, errorCode: 'integration-gave-up' }, `${name} for drill ${this.drill.id}: gave up ${unlogged} message(s); last error: ${error}`);
        unlogged = 0;
      },
      recovered: () => {
        warned = false;
        this.logger.info(where, `${name} for drill ${this.drill.id}: delivering again`);
      },
      idle: () => this.finishIfIdle(),
    };
  }

  private resend(): void {
    const at = new Date();
    for (const { integration, queue } of this.targets.values()) {
      const message = integration.resend?.(at);
      if (message) queue.push(message);
    }
  }

  private stopResending(): void {
    if (this.resendTimer !== null) clearInterval(this.resendTimer);
    this.resendTimer = null;
  }

  private statusChanged(): void {
    if (this.statusTimer !== null || this.closed) return;
    this.statusTimer = setTimeout(() => {
      this.statusTimer = null;
      this.drill.tell(JSON.stringify(this.status()), 'facilitator');
    }, STATUS_DEBOUNCE_MS);
    this.statusTimer.unref();
  }

  private finishIfIdle(): void {
    if (!this.finishing || this.closed) return;
    for (const { queue } of this.targets.values()) if (!queue.idle) return;
    // The last status frame still goes out (its timer), then nothing is left running for this drill.
    this.stopResending();
    this.onDone();
  }
}
