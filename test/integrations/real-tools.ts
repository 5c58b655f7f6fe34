/**
 * Starts Debian's real Prometheus and Alertmanager for the integration tests, on loopback ports with
 * temporary config and data directories (`.ci/run` installs the packages when they are missing). Each
 * process is killed, and its directory removed, by `stop()`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const PROMETHEUS_BIN = '/usr/bin/prometheus';
export const PROMTOOL_BIN = '/usr/bin/promtool';
const ALERTMANAGER_BIN = '/usr/bin/prometheus-alertmanager';
/** Alertmanager's own CLI (same Debian package): checks configs and tests routes offline. */
export const AMTOOL_BIN = '/usr/bin/amtool';

export interface RunningTool {
  url: string;
  dir: string;
  /** What the process printed, for a failing test's message. */
  output(): string;
  stop(): Promise<void>;
}

/** A loopback port nobody is listening on now. */
async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/**
 * A real Alertmanager. Its `config` (YAML) is written as given; the default routes every alert to one
 * receiver with no integrations, so the API keeps what it is sent and nothing leaves the machine.
 */
export async function startAlertmanager(config = 'route:\n  receiver: drills\nreceivers:\n  - name: drills\n'): Promise<RunningTool> {
  const dir = mkdtempSync(join(tmpdir(), 'sevdrill-am-'));
  writeFileSync(join(dir, 'alertmanager.yml'), config);
  const port = await freePort();
  const args = [
    `--config.file=${join(dir, 'alertmanager.yml')}`,
    `--storage.path=${join(dir, 'data')}`,
    `--web.listen-address=127.0.0.1:${port}`,
    // No gossip: a lone test instance must not look for peers.
    '--cluster.listen-address=',
  ];
  return startTool(ALERTMANAGER_BIN, args, dir, `http://127.0.0.1:${port}`);
}

/**
 * A prometheus.yml that scrapes one sevdrill server every second with its metrics token, as a team
 * would (docs/integrations.md); with `rules` and `alertmanager`, it also evaluates that rule file every
 * second and sends what fires to that Alertmanager.
 */
export function scrapeConfig(server: { port: number }, token: string, alerting?: { ruleFile: string; alertmanager: string }): string {
  const rules = alerting
    ? `  evaluation_interval: 1s
rule_files: ['${alerting.ruleFile}']
alerting:
  alertmanagers:
    - static_configs:
        - targets: ['${alerting.alertmanager.replace(/^https?:\/\//, '')}']
`
    : '';
  return `global:
  scrape_interval: 1s
  scrape_timeout: 1s
${rules}scrape_configs:
  - job_name: sevdrill
    authorization:
      credentials: ${token}
    static_configs:
      - targets: ['127.0.0.1:${server.port}']
`;
}

/** A real Prometheus with the given prometheus.yml text; rule files named in it are written by the caller into `dir`. */
export async function startPrometheus(configFor: (dir: string) => string): Promise<RunningTool> {
  const dir = mkdtempSync(join(tmpdir(), 'sevdrill-prom-'));
  writeFileSync(join(dir, 'prometheus.yml'), configFor(dir));
  const port = await freePort();
  const args = [
    `--config.file=${join(dir, 'prometheus.yml')}`,
    `--storage.tsdb.path=${join(dir, 'data')}`,
    `--web.listen-address=127.0.0.1:${port}`,
    '--web.enable-lifecycle',
  ];
  return startTool(PROMETHEUS_BIN, args, dir, `http://127.0.0.1:${port}`);
}

async function startTool(bin: string, args: string[], dir: string, url: string): Promise<RunningTool> {
  const child: ChildProcess = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-20_000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async () => {
    if (child.exitCode === null) {
      child.kill('SIGTERM');
      const killed = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(killed);
    }
    rmSync(dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) break;
    try {
      const res = await fetch(`${url}/-/ready`);
      if (res.ok) return { url, dir, output: () => output, stop };
    } catch {
      // Not listening yet.
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  await stop();
  throw new Error(`${bin} did not become ready at ${url}:\n${output}`);
}
