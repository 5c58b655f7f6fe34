/**
 * One incident played over real sockets, sent to a local receiver standing in for PagerDuty, Slack, a
 * generic webhook and Alertmanager: each body matches its tool's documented format (PagerDuty Events
 * API v2, Slack incoming webhooks, the webhook's own shape), every message is marked as a drill, the
 * dedup key holds from trigger to resolve, and nothing hidden (faults, injects) leaves the server.
 */
import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { engineEventSchema } from '../../engine/protocol/events.ts';
import { kindOf } from '../../engine/protocol/kinds.ts';
import { until, withServer } from '../server/harness.ts';
import { PATHS, ROUTING_KEY, WEBHOOK_SECRET, integrationsAt, playIncident } from './drill-run.ts';
import { startReceiver, type Receiver } from './receiver.ts';

// PagerDuty Events API v2 (developer.pagerduty.com, "Send an Alert Event"): summary, source and
// severity are required in a trigger's payload; acknowledge and resolve need only the dedup_key.
const pagerdutyPayload = z
  .object({
    summary: z.string().min(1).max(1024),
    source: z.string().min(1),
    severity: z.enum(['critical', 'error', 'warning', 'info']),
    timestamp: z.iso.datetime().optional(),
    component: z.string().optional(),
    group: z.string().optional(),
    class: z.string().optional(),
    custom_details: z.record(z.string(), z.unknown()).optional(),
  })
  .strict();
const dedupKey = z.string().min(1).max(255);
const pagerdutyEvent = z.discriminatedUnion('event_action', [
  z
    .object({
      routing_key: z.string().min(1),
      event_action: z.literal('trigger'),
      dedup_key: dedupKey.optional(),
      payload: pagerdutyPayload,
      client: z.string().optional(),
      client_url: z.url().optional(),
    })
    .strict(),
  z.object({ routing_key: z.string().min(1), event_action: z.literal('acknowledge'), dedup_key: dedupKey }).strict(),
  z.object({ routing_key: z.string().min(1), event_action: z.literal('resolve'), dedup_key: dedupKey }).strict(),
]);
// Change events (…/v2/change/enqueue): summary required, no event_action.
const pagerdutyChange = z
  .object({
    routing_key: z.string().min(1),
    payload: z.object({ summary: z.string().min(1).max(1024), timestamp: z.iso.datetime().optional(), source: z.string().optional(), custom_details: z.record(z.string(), z.unknown()).optional() }).strict(),
    links: z.array(z.object({ href: z.url(), text: z.string().optional() })).optional(),
  })
  .strict();

// Slack incoming webhooks: `text` is the notification fallback; blocks are Block Kit (section text ≤ 3000).
const textObject = z.object({ type: z.enum(['mrkdwn', 'plain_text']), text: z.string().min(1).max(3000) });
const slackMessage = z
  .object({
    text: z.string().startsWith('[DRILL]'),
    blocks: z
      .array(z.discriminatedUnion('type', [z.object({ type: z.literal('section'), text: textObject }), z.object({ type: z.literal('context'), elements: z.array(textObject).min(1).max(10) })]))
      .min(1)
      .max(50),
  })
  .strict();

// The generic webhook, as docs/integrations.md documents it.
const webhookBody = z
  .object({
    version: z.literal(1),
    drill: z.literal(true),
    sessionId: z.string(),
    scenario: z.string(),
    kind: z.string(),
    at: z.iso.datetime(),
    simTime: z.number().int().nonnegative(),
    event: engineEventSchema,
    text: z.string().startsWith('[DRILL] '),
  })
  .strict();

const alertmanagerAlerts = z.array(
  z
    .object({
      labels: z.record(z.string(), z.string()),
      annotations: z.record(z.string(), z.string()),
      startsAt: z.iso.datetime(),
      endsAt: z.iso.datetime().optional(),
      generatorURL: z.url(),
    })
    .strict(),
);

const bodies = <T>(receiver: Receiver, path: string, schema: z.ZodType<T>): T[] => receiver.to(path).map((r) => schema.parse(r.body));

describe('outbound integrations: formats', () => {
  it('sends a played incident to each tool in its format, marked as a drill, with nothing hidden', async () => {
    const receiver = await startReceiver();
    try {
      await withServer(
        async (server) => {
          const played = await playIncident(server);
          const id = played.creds.sessionId;
          // Everything has arrived once the webhook has the drill's end and PagerDuty a resolve for every
          // page it was sent (they are sent one after another: waiting for the first one is not enough).
          const pdKeys = (action: string) => new Set(receiver.to(PATHS.pagerduty).flatMap((r) => ((r.body as { event_action?: string }).event_action === action ? [(r.body as { dedup_key: string }).dedup_key] : [])));
          await until(
            () =>
              receiver.to(PATHS.webhook).some((r) => (r.body as { kind?: string; event?: { to?: string } }).kind === 'drill.state' && (r.body as { event: { to?: string } }).event.to === 'ended') &&
              pdKeys('resolve').size > 0 &&
              pdKeys('resolve').size === pdKeys('trigger').size,
            15_000,
          );

          // PagerDuty: one trigger per page alert, acknowledged and resolved under the same key.
          const pd = bodies(receiver, PATHS.pagerduty, pagerdutyEvent);
          expect(pd.every((e) => e.routing_key === ROUTING_KEY)).toBe(true);
          const triggers = pd.filter((e) => e.event_action === 'trigger');
          expect(triggers.length).toBeGreaterThan(0);
          for (const t of triggers) {
            expect(t.payload.summary.startsWith('[DRILL] ')).toBe(true);
            expect(t.payload.custom_details).toMatchObject({ drill: true, session: id, scenario: 'retail-sev1' });
            expect(t.dedup_key).toMatch(new RegExp(`^sevdrill-${id}-`));
          }
          const keys = new Set(triggers.map((t) => t.dedup_key));
          expect(keys.size).toBe(triggers.length);
          const actions = (action: string) => pd.filter((e) => e.event_action === action).map((e) => e.dedup_key);
          // Every page triggered before the acknowledgement is acknowledged by its own key; every page is resolved.
          expect(actions('acknowledge').length).toBeGreaterThan(0);
          for (const key of actions('acknowledge')) expect(keys.has(key)).toBe(true);
          expect(new Set(actions('resolve'))).toEqual(keys);
          const order = pd.map((e) => e.event_action);
          expect(order.indexOf('trigger')).toBeLessThan(order.indexOf('acknowledge'));
          expect(order.lastIndexOf('acknowledge')).toBeLessThan(order.indexOf('resolve'));
          // The rollback that mitigated is a deploy: a change event beside the enqueue endpoint.
          for (const change of bodies(receiver, PATHS.pagerdutyChange, pagerdutyChange)) expect(change.payload.summary.startsWith('[DRILL] ')).toBe(true);

          // Slack: the page, the declaration, the status update (escaped), mitigation, resolution, the end.
          const slack = bodies(receiver, PATHS.slack, slackMessage);
          const texts = slack.map((m) => m.text);
          expect(texts[0]).toMatch(/^\[DRILL\] Page: /);
          expect(texts.some((t) => t.includes('Incident declared, Sev 1'))).toBe(true);
          const status = texts.find((t) => t.includes('Status update from alice'));
          expect(status).toContain('Prices &lt;!channel&gt; &amp; checkout down');
          expect(status).not.toContain('<!channel>');
          expect(texts.some((t) => t.includes('Incident mitigated'))).toBe(true);
          expect(texts.some((t) => t.includes('Incident resolved'))).toBe(true);

          // The webhook: every public event, in order, each signed; no fault, no inject.
          const hooks = receiver.to(PATHS.webhook);
          const events = hooks.map((r) => webhookBody.parse(r.body));
          for (const [i, r] of hooks.entries()) {
            expect(r.headers['x-sevdrill-signature']).toBe(`sha256=${createHmac('sha256', WEBHOOK_SECRET).update(r.raw).digest('hex')}`);
            expect(events[i]?.sessionId).toBe(id);
            expect(events[i]?.kind).toBe(events[i]?.event.type);
          }
          expect(events.some((b) => b.kind === 'alert.firing')).toBe(true);
          expect(events.some((b) => b.kind === 'status.posted')).toBe(true);
          expect(events.filter((b) => kindOf(b.event) === 'hidden')).toEqual([]);
          expect(receiver.received.some((r) => r.raw.includes('fault.started') || r.raw.includes('pricing-rules-v2') || r.raw.includes('"inject"'))).toBe(false);
          const seqs = events.map((b) => b.event.seq);
          expect(seqs).toEqual([...seqs].sort((a, b) => a - b));

          // Alertmanager: each alert labelled as a drill, ended (endsAt not after the last post) by the end.
          const pushes = bodies(receiver, PATHS.alertmanager + '/api/v2/alerts', alertmanagerAlerts);
          const latest = new Map<string, { endsAt?: string | undefined; labels: Record<string, string> }>();
          for (const alert of pushes.flat()) latest.set(alert.labels.alertname ?? '', alert);
          expect(latest.size).toBeGreaterThan(0);
          for (const alert of latest.values()) {
            expect(alert.labels).toMatchObject({ drill: 'true', sevdrill_session: id, scenario: 'retail-sev1' });
            expect(Date.parse(alert.endsAt ?? '')).toBeLessThanOrEqual(Date.now());
          }

          // The facilitator hears how each is doing: all delivered, nothing pending or given up.
          const status4 = await played.fac.waitFor(
            (m) => m.type === 'integrations' && (m.integrations as { pending: number; sent: number }[]).every((i) => i.pending === 0 && i.sent > 0),
            10_000,
          );
          expect((status4.integrations as { name: string; on: boolean; gaveUp: number }[]).map((i) => [i.name, i.on, i.gaveUp])).toEqual([
            ['alertmanager', true, 0],
            ['pagerduty', true, 0],
            ['slack', true, 0],
            ['webhook', true, 0],
          ]);
          played.close();
        },
        { integrations: integrationsAt(receiver.url) },
      );
    } finally {
      await receiver.close();
    }
  }, 90_000);

  it('sends nothing for a drill that did not ask: integrations are off by default', async () => {
    const receiver = await startReceiver();
    try {
      await withServer(
        async (server) => {
          const played = await playIncident(server, null);
          const welcome = await played.fac.waitFor((m) => m.type === 'welcome');
          expect(welcome.role).toBe('facilitator');
          // Give a wrongly queued message time to leave.
          await new Promise((resolve) => setTimeout(resolve, 500));
          expect(receiver.received).toEqual([]);
          expect(played.fac.messages.some((m) => m.type === 'integrations')).toBe(false);
          played.close();
        },
        { integrations: integrationsAt(receiver.url) },
      );
    } finally {
      await receiver.close();
    }
  }, 90_000);
});
