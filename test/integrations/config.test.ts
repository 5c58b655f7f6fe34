/**
 * Switching integrations on: the server's settings (environment or file; a bad value stops the server
 * naming the variable, and never repeats a secret), the lobby's list (names only), a drill's choice
 * (unknown or unconfigured names refused with their own codes), and that choice surviving a restart.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { configFromEnv } from '../../engine/server/config.ts';
import { get, startTestServer, withServer } from '../server/harness.ts';
import { integrationsAt } from './drill-run.ts';

const errorOf = (env: Record<string, string>): string => {
  try {
    configFromEnv(env);
  } catch (error) {
    return String(error);
  }
  return 'no error';
};

describe('integration settings', () => {
  it('are off unless a URL is set, and read from the environment', () => {
    const none = configFromEnv({}).integrations;
    expect([none.alertmanager, none.pagerduty, none.slack, none.webhook]).toEqual([null, null, null, null]);
    const all = configFromEnv({
      SEVDRILL_ALERTMANAGER_URL: 'http://am:9093/',
      SEVDRILL_PAGERDUTY_URL: 'https://events.pagerduty.com/v2/enqueue',
      SEVDRILL_PAGERDUTY_ROUTING_KEY: 'abc123',
      SEVDRILL_SLACK_WEBHOOK_URL: 'https://hooks.slack.com/services/T1/B2/x',
      SEVDRILL_WEBHOOK_URL: 'https://example.com/hook',
      SEVDRILL_WEBHOOK_SECRET: 'a-secret-of-16-chars',
    }).integrations;
    expect(all).toMatchObject({
      alertmanager: { url: 'http://am:9093' },
      pagerduty: { url: 'https://events.pagerduty.com/v2/enqueue', routingKey: 'abc123' },
      slack: { url: 'https://hooks.slack.com/services/T1/B2/x' },
      webhook: { url: 'https://example.com/hook', secret: 'a-secret-of-16-chars' },
    });
  });

  it('refuse bad values, naming the variable and never repeating the value', () => {
    expect(errorOf({ SEVDRILL_ALERTMANAGER_URL: 'am:9093 secretpart' })).toMatch(/SEVDRILL_ALERTMANAGER_URL must be an http/);
    expect(errorOf({ SEVDRILL_SLACK_WEBHOOK_URL: 'ftp://hooks.slack.com/services/T1/SECRETPATH' })).toMatch(/SEVDRILL_SLACK_WEBHOOK_URL must be an http/);
    expect(errorOf({ SEVDRILL_SLACK_WEBHOOK_URL: 'ftp://hooks.slack.com/services/T1/SECRETPATH' })).not.toContain('SECRETPATH');
    expect(errorOf({ SEVDRILL_PAGERDUTY_URL: 'https://events.pagerduty.com/v2/enqueue' })).toMatch(/SEVDRILL_PAGERDUTY_ROUTING_KEY is not/);
    expect(errorOf({ SEVDRILL_PAGERDUTY_ROUTING_KEY: 'abc' })).toMatch(/SEVDRILL_PAGERDUTY_URL is not/);
    expect(errorOf({ SEVDRILL_PAGERDUTY_URL: 'https://x/v2/enqueue', SEVDRILL_PAGERDUTY_ROUTING_KEY: 'has spaces SECRET' })).toMatch(/SEVDRILL_PAGERDUTY_ROUTING_KEY must be/);
    expect(errorOf({ SEVDRILL_WEBHOOK_URL: 'https://example.com/hook', SEVDRILL_WEBHOOK_SECRET: 'short' })).toMatch(/SEVDRILL_WEBHOOK_SECRET must be at least 16/);
    expect(errorOf({ SEVDRILL_WEBHOOK_SECRET: 'a-secret-of-16-chars' })).toMatch(/SEVDRILL_WEBHOOK_SECRET is set but SEVDRILL_WEBHOOK_URL is not/);
    expect(errorOf({ SEVDRILL_INTEGRATIONS_FILE: '/nonexistent/integrations.yaml' })).toMatch(/SEVDRILL_INTEGRATIONS_FILE .* cannot be read/);
  });

  it('come from a YAML or JSON file too, the environment winning', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sevdrill-integrations-'));
    const yaml = join(dir, 'integrations.yaml');
    writeFileSync(yaml, 'slack:\n  url: https://hooks.slack.com/services/T1/B2/fromfile\nwebhook:\n  url: https://example.com/hook\n  secret: a-secret-of-16-chars\n');
    const fromFile = configFromEnv({ SEVDRILL_INTEGRATIONS_FILE: yaml }).integrations;
    expect(fromFile).toMatchObject({ slack: { url: 'https://hooks.slack.com/services/T1/B2/fromfile' }, webhook: { secret: 'a-secret-of-16-chars' }, pagerduty: null });
    const overridden = configFromEnv({ SEVDRILL_INTEGRATIONS_FILE: yaml, SEVDRILL_SLACK_WEBHOOK_URL: 'https://hooks.slack.com/services/T1/B2/fromenv' }).integrations;
    expect(overridden.slack?.url).toBe('https://hooks.slack.com/services/T1/B2/fromenv');
    const json = join(dir, 'integrations.json');
    writeFileSync(json, JSON.stringify({ alertmanager: { url: 'http://am:9093' }, pagerduty: { url: 'https://events.pagerduty.com/v2/enqueue', routingKey: 'key1' } }));
    expect(configFromEnv({ SEVDRILL_INTEGRATIONS_FILE: json }).integrations).toMatchObject({ alertmanager: { url: 'http://am:9093' }, pagerduty: { routingKey: 'key1' } });
    writeFileSync(json, JSON.stringify({ slak: { url: 'https://hooks.slack.com/x' } }));
    expect(errorOf({ SEVDRILL_INTEGRATIONS_FILE: json })).toMatch(/SEVDRILL_INTEGRATIONS_FILE .*slak/);
    writeFileSync(json, JSON.stringify({ slack: { url: 'not a url' } }));
    expect(errorOf({ SEVDRILL_INTEGRATIONS_FILE: json })).toMatch(/slack\.url in SEVDRILL_INTEGRATIONS_FILE must be an http/);
  });
});

describe('choosing integrations for a drill', () => {
  const post = (server: { url: string }, path: string, body: unknown) =>
    fetch(`${server.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }).then(async (r) => ({ status: r.status, body: (await r.json()) as Record<string, unknown> }));

  it('lists the configured ones by name only, and refuses unknown and unconfigured ones', async () => {
    const only = integrationsAt('http://127.0.0.1:9');
    const settings = { ...only, alertmanager: null, pagerduty: null };
    await withServer(
      async (server) => {
        const info = await get(server, '/api/config');
        expect(info.json).toMatchObject({ integrations: ['slack', 'webhook'] });
        expect(info.text).not.toContain('127.0.0.1:9');
        const base = { scenarioId: 'retail-sev1' };
        expect(await post(server, '/api/sessions', { ...base, integrations: ['teams'] })).toMatchObject({ status: 400, body: { code: 'bad-integration' } });
        expect((await post(server, '/api/sessions', { ...base, integrations: ['teams'] })).body.message).toContain('"teams"');
        expect(await post(server, '/api/sessions', { ...base, integrations: 'slack' })).toMatchObject({ status: 400, body: { code: 'bad-integration' } });
        const unconfigured = await post(server, '/api/sessions', { ...base, integrations: ['slack', 'pagerduty'] });
        expect(unconfigured).toMatchObject({ status: 400, body: { code: 'integration-not-configured' } });
        expect(unconfigured.body.message).toMatch(/"pagerduty" is not configured on this server \(this server has slack, webhook/);
        expect(await post(server, '/api/campaigns', { team: 'Blue', scenarioIds: ['retail-sev1'], integrations: ['alertmanager'] })).toMatchObject({
          status: 400,
          body: { code: 'integration-not-configured' },
        });
        const campaign = await post(server, '/api/campaigns', { team: 'Blue', scenarioIds: ['retail-sev1', 'order-pipeline'], integrations: ['webhook'] });
        expect(campaign.status).toBe(201);
        for (const d of campaign.body.drills as { sessionId: string }[]) expect(server.registry.get(d.sessionId)?.record.integrations).toEqual(['webhook']);
      },
      { integrations: settings },
    );
  });

  it('keeps the choice across a restart', async () => {
    const dataFile = join(mkdtempSync(join(tmpdir(), 'sevdrill-restart-')), 'test.db');
    const settings = integrationsAt('http://127.0.0.1:9');
    const first = await startTestServer({ dataFile, integrations: settings });
    let chosen: string;
    let plain: string;
    try {
      chosen = ((await post(first, '/api/sessions', { scenarioId: 'retail-sev1', integrations: ['pagerduty', 'slack', 'slack'] })).body.sessionId as string) ?? '';
      plain = ((await post(first, '/api/sessions', { scenarioId: 'retail-sev1' })).body.sessionId as string) ?? '';
    } finally {
      await first.close();
    }
    const second = await startTestServer({ dataFile, integrations: settings });
    try {
      expect(second.registry.get(chosen)?.record.integrations).toEqual(['pagerduty', 'slack']);
      const status = second.registry.get(chosen)?.integrationsStatus?.();
      expect(status?.integrations.filter((i) => i.on).map((i) => i.name)).toEqual(['pagerduty', 'slack']);
      expect(second.registry.get(plain)?.record.integrations).toEqual([]);
      expect(second.registry.get(plain)?.integrationsStatus).toBeNull();
    } finally {
      await second.close();
    }
  });
});
