/**
 * A throwaway Prometheus (Debian's /usr/bin/prometheus) for one test file:
 * scrapes one target every second, keeps its TSDB in a temporary directory,
 * listens on a free loopback port, and is killed after. Its stderr is kept
 * so a failing test can show what Prometheus said.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../src/net/free-port.js';

export const PROMETHEUS_BIN = '/usr/bin/prometheus';
/** Kept of Prometheus's output: the end, where the reason for a failure is. */
const OUTPUT_LIMIT = 64 * 1024;

/** Why a Prometheus cannot be started here, or null when it can. */
export function prometheusUnavailable(): string | null {
  return existsSync(PROMETHEUS_BIN) ? null : 'prometheus is not installed';
}

/** One sample of an instant vector, as /api/v1/query returns it. */
export interface PromSample {
  readonly metric: Readonly<Record<string, string>>;
  readonly value: readonly [number, string];
}

export interface PromQueryResult {
  readonly status: string;
  readonly error?: string;
  readonly data?: { readonly resultType: string; readonly result: readonly PromSample[] };
}

export interface PrometheusServer {
  readonly url: string;
  /** What Prometheus wrote to stderr and stdout so far (the last 64 KiB). */
  output(): string;
  /** An instant query through the HTTP API. */
  query(expr: string): Promise<PromQueryResult>;
  /** Health of each active scrape target. */
  targets(): Promise<{ health: string; lastError: string; scrapeUrl: string }[]>;
  /** SIGTERM, then SIGKILL after 5 s; removes the TSDB. */
  stop(): Promise<void>;
}

/** Starts Prometheus scraping `target` (`host:port`) at `metricsPath` every second. */
export async function startPrometheus(target: string, metricsPath = '/metrics'): Promise<PrometheusServer> {
  const dir = mkdtempSync(join(tmpdir(), 'qgtm-prometheus-'));
  const config = join(dir, 'prometheus.yml');
  writeFileSync(
    config,
    [
      'global:',
      '  scrape_interval: 1s',
      '  scrape_timeout: 1s',
      'scrape_configs:',
      '  - job_name: qgtm',
      `    metrics_path: ${metricsPath}`,
      '    static_configs:',
      `      - targets: ['${target}']`,
      '',
    ].join('\n'),
  );
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  let output = '';
  let exited: string | null = null;
  const child: ChildProcess = spawn(
    PROMETHEUS_BIN,
    [`--config.file=${config}`, `--storage.tsdb.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`, '--log.level=warn'],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const keep = (chunk: Buffer): void => {
    output = (output + chunk.toString('utf8')).slice(-OUTPUT_LIMIT);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const gone = new Promise<void>((resolve) => {
    child.once('exit', (code, signal) => {
      exited = `exited: code ${code} signal ${signal}`;
      resolve();
    });
  });

  const api = async <T>(path: string): Promise<T> => {
    if (exited) throw new Error(`prometheus ${exited}\n${output}`);
    return (await (await fetch(`${url}${path}`)).json()) as T;
  };
  return {
    url,
    output: () => output,
    query: (expr) => api<PromQueryResult>(`/api/v1/query?query=${encodeURIComponent(expr)}`),
    targets: async () => (await api<{ data: { activeTargets: { health: string; lastError: string; scrapeUrl: string }[] } }>('/api/v1/targets')).data.activeTargets,
    stop: async () => {
      if (!exited) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
        await gone;
        clearTimeout(timer);
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
