/** Real remote-write receivers for the end-to-end test: Prometheus 2.42 and VictoriaMetrics (Debian packages). */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ManagedProcess, startOnFreePort, waitUntilReady } from '../../e2e/support/process.js';

/** How long a receiver may take to get ready: seconds usually, far more on a loaded 2-core machine. */
export const READY_TIMEOUT_MS = 120_000;

export interface Receiver {
  readonly name: string;
  readonly base: string;
  readonly writeUrl: string;
  proc: ManagedProcess;
}

/**
 * Prometheus with the remote-write receiver on, scraping itself every second (so its head holds
 * current samples, as any real Prometheus does, and day-old samples are "out of bounds" unless
 * an out-of-order window admits them).
 */
export async function startPrometheus(
  bin: string,
  dir: string,
  name: string,
  oooWindow: string | undefined,
  started: ManagedProcess[],
  /** host:port of an exporter to scrape too (job `wechat-interface-exporter`, every second). */
  exporterTarget?: string,
): Promise<Receiver> {
  mkdirSync(dir, { recursive: true });
  const { proc, port } = await startOnFreePort(
    (port) => {
      const config = [
        'global: { scrape_interval: 1s }',
        ...(oooWindow ? ['storage:', '  tsdb:', `    out_of_order_time_window: ${oooWindow}`] : []),
        'scrape_configs:',
        `  - { job_name: prometheus, static_configs: [{ targets: ['127.0.0.1:${port}'] }] }`,
        ...(exporterTarget ? [`  - { job_name: wechat-interface-exporter, static_configs: [{ targets: ['${exporterTarget}'] }] }`] : []),
        '',
      ].join('\n');
      writeFileSync(join(dir, 'prometheus.yml'), config);
      return {
        name,
        command: bin,
        args: [
          `--config.file=${join(dir, 'prometheus.yml')}`,
          `--storage.tsdb.path=${join(dir, 'data')}`,
          `--web.listen-address=127.0.0.1:${port}`,
          '--web.enable-remote-write-receiver',
          '--log.level=warn',
        ],
        readyUrl: `http://127.0.0.1:${port}/-/ready`,
      };
    },
    started,
    READY_TIMEOUT_MS,
  );
  const base = `http://127.0.0.1:${port}`;
  return { name, base, writeUrl: `${base}/api/v1/write`, proc };
}

function victoriaSpec(bin: string, dir: string, port: number): { name: string; command: string; args: string[]; readyUrl: string } {
  return {
    name: 'victoria-metrics',
    command: bin,
    args: [
      `-httpListenAddr=127.0.0.1:${port}`,
      `-storageDataPath=${dir}`,
      // The pushed days are in the past: keep them whatever the test machine's date.
      '-retentionPeriod=100y',
      '-search.disableCache',
      '-loggerLevel=ERROR',
    ],
    readyUrl: `http://127.0.0.1:${port}/health`,
  };
}

export async function startVictoriaMetrics(bin: string, dir: string, started: ManagedProcess[]): Promise<Receiver & { port: number }> {
  const { proc, port } = await startOnFreePort((port) => victoriaSpec(bin, dir, port), started, READY_TIMEOUT_MS);
  const base = `http://127.0.0.1:${port}`;
  return { name: 'victoria-metrics', base, writeUrl: `${base}/api/v1/write`, proc, port };
}

/** Starts VictoriaMetrics again on the same port and data directory (after an outage). */
export async function restartVictoriaMetrics(
  bin: string,
  dir: string,
  vm: Receiver & { port: number },
  started: ManagedProcess[],
): Promise<void> {
  const { readyUrl, ...spec } = victoriaSpec(bin, dir, vm.port);
  vm.proc = new ManagedProcess(spec);
  started.push(vm.proc);
  await waitUntilReady(vm.proc, readyUrl, READY_TIMEOUT_MS);
}

/** The values of an instant query at `timeSeconds` (Prometheus HTTP API; VictoriaMetrics speaks it too). */
export async function queryAt(base: string, expr: string, timeSeconds: number): Promise<number[]> {
  const res = await fetch(`${base}/api/v1/query`, {
    method: 'POST',
    body: new URLSearchParams({ query: expr, time: String(timeSeconds) }),
  });
  const body = (await res.json()) as { status: string; error?: string; data?: { result: { value: [number, string] }[] } };
  if (body.status !== 'success') throw new Error(`${expr}: ${body.error ?? res.status}`);
  return (body.data?.result ?? []).map((r) => Number(r.value[1]));
}

/**
 * Makes every sample VictoriaMetrics has accepted visible to queries (it buffers new samples for
 * about a second first): after this, an export lists each sample whose push it acknowledged.
 */
export async function victoriaFlush(base: string): Promise<void> {
  const res = await fetch(`${base}/internal/force_flush`);
  if (res.status !== 200) throw new Error(`force_flush: HTTP ${res.status}: ${await res.text()}`);
  await res.arrayBuffer();
}

/** Raw samples VictoriaMetrics holds for `match` (its export API lists every stored sample, duplicates included). */
export async function victoriaRawSamples(base: string, match: string): Promise<number> {
  const params = new URLSearchParams({ 'match[]': match, start: '0', end: String(Math.floor(Date.now() / 1000) + 86_400) });
  const res = await fetch(`${base}/api/v1/export?${params.toString()}`);
  if (res.status !== 200) throw new Error(`export: HTTP ${res.status}: ${await res.text()}`);
  return (await res.text())
    .split('\n')
    .filter((l) => l.trim() !== '')
    .reduce((n, l) => n + (JSON.parse(l) as { timestamps: number[] }).timestamps.length, 0);
}

/** Raw samples Prometheus holds for `selector` in the last `range` (a range-vector query lists each). */
export async function prometheusRawSamples(base: string, selector: string, range: string): Promise<number> {
  const res = await fetch(`${base}/api/v1/query`, { method: 'POST', body: new URLSearchParams({ query: `${selector}[${range}]` }) });
  const body = (await res.json()) as { status: string; error?: string; data?: { result: { values: unknown[] }[] } };
  if (body.status !== 'success') throw new Error(`${selector}: ${body.error ?? res.status}`);
  return (body.data?.result ?? []).reduce((n, r) => n + r.values.length, 0);
}
