/**
 * The generic webhook: one JSON body per event responders may see (docs/integrations.md, "Generic
 * webhook"), so a team can route a drill into whatever it runs. With a secret, the body is signed:
 * `X-Sevdrill-Signature: sha256=<hex HMAC-SHA256 of the raw body>`.
 */
import { createHmac } from 'node:crypto';
import { describe } from '../../protocol/describe.ts';
import { DRILL_PREFIX, type DrillContext, type Integration } from './integration.ts';
import type { Outgoing } from './queue.ts';

/** The body's version: a change that breaks a receiver gets a new one. */
const WEBHOOK_VERSION = 1;

const SIGNATURE_HEADER = 'x-sevdrill-signature';

export function webhookIntegration(config: { url: string; secret: string | null }, drill: DrillContext): Integration {
  return {
    name: 'webhook',
    events(events, at) {
      const out: Outgoing[] = [];
      for (const event of events) {
        // The per-minute state hash is bookkeeping for replays, of no use to anyone's tools.
        if (event.type === 'checkpoint') continue;
        const body = JSON.stringify({
          version: WEBHOOK_VERSION,
          drill: true,
          sessionId: drill.sessionId,
          scenario: drill.scenarioId,
          kind: event.type,
          at: at.toISOString(),
          simTime: event.t,
          event,
          text: `${DRILL_PREFIX} ${describe(event, drill.names)}`,
        });
        const signature: Record<string, string> = config.secret === null ? {} : { [SIGNATURE_HEADER]: `sha256=${createHmac('sha256', config.secret).update(body).digest('hex')}` };
        out.push({ url: config.url, body, headers: signature });
      }
      return out;
    },
    stopped: () => [],
  };
}
