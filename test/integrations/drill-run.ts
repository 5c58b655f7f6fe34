/**
 * For the outbound integration tests: a server whose four integrations point at a local receiver,
 * and one whole incident played over real sockets (page, acknowledge, declare, a status update, the
 * rollback approved by a second responder, mitigation, resolution, the end).
 */
import type { IntegrationsConfig } from '../../engine/server/integrations/config.ts';
import { TestClient, createDrill, type CodeDrill } from '../server/harness.ts';

export const PATHS = {
  alertmanager: '/am',
  pagerduty: '/pd/v2/enqueue',
  pagerdutyChange: '/pd/v2/change/enqueue',
  slack: '/slack/services/T0SECRETTEAM/B0SECRETHOOK/slackSECRETtoken123',
  webhook: '/hook',
} as const;
export const ROUTING_KEY = 'R0UTINGKEY0SECRET0123456789abcdef';
export const WEBHOOK_SECRET = 'whsec-0123456789abcdef-SECRET';
const WEBHOOK_QUERY_TOKEN = 'querySECRET42';

/** Secrets that must never reach a client or a log line. */
export const SECRETS = [ROUTING_KEY, WEBHOOK_SECRET, 'T0SECRETTEAM', 'slackSECRETtoken123', WEBHOOK_QUERY_TOKEN];

export function integrationsAt(base: string, delivery: Partial<IntegrationsConfig['delivery']> = {}): IntegrationsConfig {
  return {
    alertmanager: { url: `${base}${PATHS.alertmanager}` },
    pagerduty: { url: `${base}${PATHS.pagerduty}`, routingKey: ROUTING_KEY },
    slack: { url: `${base}${PATHS.slack}` },
    webhook: { url: `${base}${PATHS.webhook}?token=${WEBHOOK_QUERY_TOKEN}`, secret: WEBHOOK_SECRET },
    delivery: { timeoutMs: 2_000, retryDelaysMs: [50, 100, 200], maxQueued: 1_000, alertmanagerResendMs: 60_000, ...delivery },
  };
}

export interface PlayedDrill {
  creds: CodeDrill;
  fac: TestClient;
  close(): void;
}

export const ALL = ['alertmanager', 'pagerduty', 'slack', 'webhook'];

/** Plays retail-sev1 at speed 60 from the page to the end; `integrations` as the drill asks for them (null: the field left out). */
export async function playIncident(server: { url: string }, integrations: string[] | null = ALL): Promise<PlayedDrill> {
  const creds = await createDrill(server, { scenarioId: 'retail-sev1', speed: 60, ...(integrations ? { integrations } : {}) });
  const fac = await TestClient.join(server.url, { sessionId: creds.sessionId, token: creds.facilitatorToken, name: 'Fran' });
  const alice = await TestClient.join(server.url, { sessionId: creds.sessionId, code: creds.responderCode, name: 'alice' });
  const bob = await TestClient.join(server.url, { sessionId: creds.sessionId, code: creds.responderCode, name: 'bob' });
  const act = async (client: TestClient, id: string, action: string, rest: Record<string, unknown> = {}) => {
    client.send({ type: 'action', clientActionId: id, action, ...rest });
    const reply = await client.reply(id);
    if (reply.type !== 'ack') throw new Error(`${action} refused: ${JSON.stringify(reply)}`);
  };
  fac.send({ type: 'control', command: 'start', clientActionId: 'go' });
  await fac.reply('go');
  // The root cause now, rather than five simulated minutes from now.
  fac.send({ type: 'control', command: 'inject', fault: 'pricing-rules-v2', clientActionId: 'inject' });
  await alice.waitForEvent('alert.firing', { severity: 'page' }, 20_000);
  await act(alice, 'a1', 'ack');
  await act(alice, 'a2', 'declare', { params: { severity: 1 } });
  await act(alice, 'a3', 'status-update', { params: { message: 'Prices <!channel> & checkout down; rolling back pricing' } });
  await act(alice, 'a4', 'rollback', { target: 'pricing' });
  await act(bob, 'b1', 'approve', { params: { request: 'rollback:pricing' } });
  await alice.waitForEvent('incident.state', { to: 'mitigated' }, 30_000);
  await act(alice, 'a5', 'resolve');
  fac.send({ type: 'control', command: 'end', clientActionId: 'end' });
  await fac.reply('end');
  return {
    creds,
    fac,
    close: () => {
      for (const c of [fac, alice, bob]) c.close();
    },
  };
}
