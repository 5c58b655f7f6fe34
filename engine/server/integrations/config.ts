/**
 * Where the team's own tools are (docs/integrations.md): each integration is configured when its URL
 * is set, from the environment or from the file SEVDRILL_INTEGRATIONS_FILE names (JSON or YAML). A
 * variable set in the environment wins over the same setting in the file, so one secret can be
 * overridden at deploy time without editing the file. A bad value stops the server at startup with a
 * message naming the variable (or the file and its field).
 */
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import type { IntegrationName } from '../../protocol/messages.ts';

export interface IntegrationsConfig {
  alertmanager: { url: string } | null;
  pagerduty: { url: string; routingKey: string } | null;
  slack: { url: string } | null;
  webhook: { url: string; secret: string | null } | null;
  delivery: DeliveryOptions;
}

/** How messages are sent; fixed in production, shortened by tests. */
export interface DeliveryOptions {
  /** A request that has not answered by then is abandoned (and tried again). */
  timeoutMs: number;
  /** The waits before the second, third, … try; after the last one fails the message is given up. */
  retryDelaysMs: number[];
  /** Messages one integration of one drill may hold; beyond that the oldest unsent one is dropped. */
  maxQueued: number;
  /** Firing alerts are sent to Alertmanager again this often (wall ms), as Prometheus does. */
  alertmanagerResendMs: number;
  /** Alertmanager's silences are read this often while a drill sends to it (silences.ts; default SILENCE_POLL_MS). */
  silencePollMs?: number;
}

const DEFAULT_DELIVERY: DeliveryOptions = { timeoutMs: 5_000, retryDelaysMs: [1_000, 2_000, 4_000, 8_000], maxQueued: 500, alertmanagerResendMs: 60_000 };

/** Each setting: its variable, and its path in the file. */
const SETTINGS = {
  alertmanagerUrl: { env: 'SEVDRILL_ALERTMANAGER_URL', file: 'alertmanager.url' },
  pagerdutyUrl: { env: 'SEVDRILL_PAGERDUTY_URL', file: 'pagerduty.url' },
  pagerdutyKey: { env: 'SEVDRILL_PAGERDUTY_ROUTING_KEY', file: 'pagerduty.routingKey' },
  slackUrl: { env: 'SEVDRILL_SLACK_WEBHOOK_URL', file: 'slack.url' },
  webhookUrl: { env: 'SEVDRILL_WEBHOOK_URL', file: 'webhook.url' },
  webhookSecret: { env: 'SEVDRILL_WEBHOOK_SECRET', file: 'webhook.secret' },
} as const;
type Setting = keyof typeof SETTINGS;

const fileSchema = z
  .object({
    alertmanager: z.object({ url: z.string() }).partial().strict(),
    pagerduty: z.object({ url: z.string(), routingKey: z.string() }).partial().strict(),
    slack: z.object({ url: z.string() }).partial().strict(),
    webhook: z.object({ url: z.string(), secret: z.string() }).partial().strict(),
  })
  .partial()
  .strict();

export function integrationsFromEnv(env: NodeJS.ProcessEnv): IntegrationsConfig {
  const file = readSettingsFile(env.SEVDRILL_INTEGRATIONS_FILE);
  const fromEnv: Record<Setting, string | undefined> = {
    alertmanagerUrl: env.SEVDRILL_ALERTMANAGER_URL,
    pagerdutyUrl: env.SEVDRILL_PAGERDUTY_URL,
    pagerdutyKey: env.SEVDRILL_PAGERDUTY_ROUTING_KEY,
    slackUrl: env.SEVDRILL_SLACK_WEBHOOK_URL,
    webhookUrl: env.SEVDRILL_WEBHOOK_URL,
    webhookSecret: env.SEVDRILL_WEBHOOK_SECRET,
  };
  // An empty variable counts as unset, as everywhere in config.ts.
  const value = (s: Setting): { value: string; from: string } | null => {
    const own = fromEnv[s];
    if (own !== undefined && own !== '') return { value: own, from: SETTINGS[s].env };
    const [section, key] = SETTINGS[s].file.split('.') as [keyof typeof file, string];
    const inFile = (file[section] as Record<string, string | undefined> | undefined)?.[key];
    return inFile !== undefined && inFile !== '' ? { value: inFile, from: `${SETTINGS[s].file} in SEVDRILL_INTEGRATIONS_FILE` } : null;
  };
  const url = (s: Setting) => {
    const v = value(s);
    return v === null ? null : checkedUrl(v.value, v.from);
  };
  const pagerdutyUrl = url('pagerdutyUrl');
  const pagerdutyKey = value('pagerdutyKey');
  const webhookUrl = url('webhookUrl');
  const webhookSecret = value('webhookSecret');
  // Half a setting is a mistake to report, not an integration to switch off quietly.
  if (pagerdutyUrl !== null && pagerdutyKey === null) throw new Error('SEVDRILL_PAGERDUTY_URL is set but SEVDRILL_PAGERDUTY_ROUTING_KEY is not: PagerDuty needs the integration key of an Events API v2 integration');
  if (pagerdutyUrl === null && pagerdutyKey !== null) {
    throw new Error('SEVDRILL_PAGERDUTY_ROUTING_KEY is set but SEVDRILL_PAGERDUTY_URL is not: set it to https://events.pagerduty.com/v2/enqueue to send drills to PagerDuty');
  }
  if (webhookUrl === null && webhookSecret !== null) throw new Error('SEVDRILL_WEBHOOK_SECRET is set but SEVDRILL_WEBHOOK_URL is not');
  if (pagerdutyKey !== null && !/^[\x21-\x7e]{1,128}$/.test(pagerdutyKey.value)) throw new Error(`${pagerdutyKey.from} must be a PagerDuty integration key (1 to 128 printable characters, no spaces)`);
  if (webhookSecret !== null && webhookSecret.value.length < 16) throw new Error(`${webhookSecret.from} must be at least 16 characters (try: openssl rand -base64 24)`);
  const alertmanagerUrl = url('alertmanagerUrl');
  const slackUrl = url('slackUrl');
  return {
    // The base URL, as Prometheus is given it: the API path is added when sending.
    alertmanager: alertmanagerUrl === null ? null : { url: alertmanagerUrl.replace(/\/+$/, '') },
    pagerduty: pagerdutyUrl === null || pagerdutyKey === null ? null : { url: pagerdutyUrl, routingKey: pagerdutyKey.value },
    slack: slackUrl === null ? null : { url: slackUrl },
    webhook: webhookUrl === null ? null : { url: webhookUrl, secret: webhookSecret?.value ?? null },
    delivery: DEFAULT_DELIVERY,
  };
}

/** The integrations this server can send to. */
export function configuredIntegrations(config: IntegrationsConfig): IntegrationName[] {
  return (['alertmanager', 'pagerduty', 'slack', 'webhook'] as const).filter((name) => config[name] !== null);
}

function readSettingsFile(path: string | undefined): z.infer<typeof fileSchema> {
  if (path === undefined || path === '') return {};
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new Error(`SEVDRILL_INTEGRATIONS_FILE "${path}" cannot be read: ${(error as NodeJS.ErrnoException).code ?? String(error)}`, { cause: error });
  }
  let data: unknown;
  try {
    // YAML is a superset of JSON: one parser reads both.
    data = parseYaml(text);
  } catch (error) {
    throw new Error(`SEVDRILL_INTEGRATIONS_FILE "${path}" is neither JSON nor YAML: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`, { cause: error });
  }
  const parsed = fileSchema.safeParse(data ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const at = issue?.path.join('.') || 'the top level';
    throw new Error(
      `SEVDRILL_INTEGRATIONS_FILE "${path}": ${at}: ${issue?.message ?? 'invalid'} (it takes alertmanager.url, pagerduty.url, pagerduty.routingKey, slack.url, webhook.url and webhook.secret, each text)`,
    );
  }
  return parsed.data;
}

/** An http(s) URL; the message names the variable but never repeats the value, which may hold a secret. */
function checkedUrl(raw: string, from: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new Error(`${from} must be an http:// or https:// URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error(`${from} must be an http:// or https:// URL, not ${url.protocol}`);
  return raw;
}
