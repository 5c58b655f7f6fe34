/**
 * What every integration is: a translator from a drill's public events to the messages one tool
 * expects. Translators are pure but for their own memory of what they have said (which alerts fire,
 * which pages are open); they never send anything themselves (queue.ts does).
 */
import type { DescribeNames } from '../../protocol/describe.ts';
import type { EngineEvent } from '../../protocol/events.ts';
import type { IntegrationName } from '../../protocol/messages.ts';
import type { Outgoing } from './queue.ts';

/** The drill as its messages name it. */
export interface DrillContext {
  sessionId: string;
  scenarioId: string;
  scenarioTitle: string;
  /** Names from the public scenario only: nothing a responder could not see. */
  names: DescribeNames;
  /** The drill's console (without credentials): the link messages carry back. */
  consoleUrl: string;
}

export interface Integration {
  readonly name: IntegrationName;
  /** Messages for a batch of events responders may see, at wall time `at`. */
  events(events: readonly EngineEvent[], at: Date): Outgoing[];
  /** The drill has stopped: what must still be said (alerts ended, pages resolved). */
  stopped(at: Date): Outgoing[];
  /** Called every DeliveryOptions.alertmanagerResendMs: a re-send of what is still open, if the tool forgets. */
  resend?(at: Date): Outgoing | null;
}

/** "[DRILL] " starts every message a person may read: a drill must never pass for a real incident. */
export const DRILL_PREFIX = '[DRILL]';
