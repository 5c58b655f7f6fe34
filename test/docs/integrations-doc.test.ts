/**
 * docs/integrations.md stays true: its sample rule is what `sevdrill export prometheus-rules` writes,
 * its prometheus.yml loads an exported file (promtool check config), and its alertmanager.yml is valid
 * and sends every drill alert, page or ticket, to the drill receiver and real alerts past it (amtool).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { prometheusRulesYaml } from '../../engine/integrations/prometheus-rules.ts';
import { ROOT, loadSpec } from '../helpers.ts';
import { AMTOOL_BIN, PROMTOOL_BIN } from '../integrations/real-tools.ts';

const DOC = readFileSync(join(ROOT, 'docs/integrations.md'), 'utf8');
const dir = mkdtempSync(join(tmpdir(), 'sevdrill-integrations-doc-'));

/** The text of each ```yaml block in the section under `heading`. */
function yamlBlocks(heading: string): string[] {
  const start = DOC.indexOf(`\n${heading}\n`);
  if (start < 0) throw new Error(`docs/integrations.md has no "${heading}"`);
  const end = DOC.indexOf('\n## ', start + heading.length + 2);
  const section = DOC.slice(start, end < 0 ? undefined : end);
  return [...section.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => m[1] as string);
}

function run(bin: string, ...args: string[]) {
  const r = spawnSync(bin, args, { cwd: dir, encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, output: `${r.stdout}${r.stderr}` };
}

describe('docs/integrations.md', () => {
  const [sampleRule, prometheusYml] = yamlBlocks('## Alert rules for your own Prometheus');

  it("its sample rule is part of retail-sev1's export, as written", () => {
    expect(sampleRule).toContain('alert: SevdrillCheckoutErrors');
    expect(prometheusRulesYaml(loadSpec('retail-sev1'))).toContain(sampleRule);
  });

  it('its prometheus.yml loads an exported rule file', () => {
    writeFileSync(join(dir, 'sevdrill-retail-sev1.rules.yaml'), prometheusRulesYaml(loadSpec('retail-sev1')));
    writeFileSync(join(dir, 'prometheus.yml'), prometheusYml ?? '');
    const checked = run(PROMTOOL_BIN, 'check', 'config', 'prometheus.yml');
    expect(checked.output).toContain('SUCCESS: 7 rules found');
    expect(checked.code, checked.output).toBe(0);
  });

  describe('its alertmanager.yml', () => {
    const [config] = yamlBlocks('## Routing drill alerts away from the real rotation');
    writeFileSync(join(dir, 'alertmanager.yml'), config ?? '');
    const receiver = (...labels: string[]) => run(AMTOOL_BIN, 'config', 'routes', 'test', '--config.file=alertmanager.yml', ...labels).stdout.trim();

    it('is a valid config', () => {
      const checked = run(AMTOOL_BIN, 'check-config', 'alertmanager.yml');
      expect(checked.code, checked.output).toBe(0);
    });

    it('routes drill alerts to the drill receiver, whatever their severity, and real ones past it', () => {
      expect(receiver('alertname=SevdrillCheckoutErrors', 'drill=true', 'severity=page', 'sevdrill_session=abc')).toBe('drill');
      expect(receiver('alertname=SevdrillPricingDbSaturation', 'drill=true', 'severity=ticket')).toBe('drill');
      expect(receiver('alertname=CheckoutErrors', 'severity=page')).toBe('oncall-pager');
      expect(receiver('alertname=DiskFilling', 'severity=ticket')).toBe('tickets');
    });
  });
});
