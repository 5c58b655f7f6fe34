/** A drill's choice of integrations, checked against the names sevdrill knows and what this server has configured. */
import { INTEGRATIONS, type IntegrationName } from '../../protocol/messages.ts';
import { configuredIntegrations, type IntegrationsConfig } from './config.ts';

export function checkIntegrations(names: readonly string[], config: IntegrationsConfig): { ok: true } | { ok: false; code: string; message: string } {
  const configured = configuredIntegrations(config);
  for (const name of names) {
    if (!(INTEGRATIONS as readonly string[]).includes(name)) {
      return { ok: false, code: 'bad-integration', message: `no integration "${name}": the integrations are ${INTEGRATIONS.join(', ')}` };
    }
    if (!configured.includes(name as IntegrationName)) {
      const here = configured.length === 0 ? 'this server has none configured' : `this server has ${configured.join(', ')}`;
      return { ok: false, code: 'integration-not-configured', message: `the integration "${name}" is not configured on this server (${here}; see docs/integrations.md)` };
    }
  }
  return { ok: true };
}
