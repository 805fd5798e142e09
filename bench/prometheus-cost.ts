/**
 * What the Prometheus that scrapes the exporter pays (issue 22), beside the exporter's own RSS:
 * for each account count and `metrics.hourly` true and false, in a fresh process, the exporter is
 * filled by a first poll against the simulator (in the sidecar process, as in bench/scale.ts) and
 * a real Prometheus (the one on PATH: Debian's 2.42 here and in CI) scrapes it every 15 s for
 * BENCH_DURATION seconds. Then, from Prometheus itself: its head series, the samples per scrape
 * (`scrape_samples_scraped`), the longest scrape (`scrape_duration_seconds`), and its RSS
 * (`process_resident_memory_bytes`, and the peak of /proc's VmRSS). Prints figures; asserts
 * nothing; not part of `npm test`.
 *
 *   npm run bench:prometheus -- [accounts=1000,5000]      BENCH_DURATION=150
 */
import { spawn, fork } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import http, { type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { resolveConfig } from '../src/config/load.js';
import { exporterApp } from '../src/exporter-app.js';
import { BENCH_BUILD, benchClock, buildQuietExporter, closeBench } from './quiet-exporter.js';
import { benchAccounts } from './shared.js';
import { Sidecar } from './sidecar-client.js';

const SCRAPE_INTERVAL_S = 15;
const counts = (process.argv[2] ?? '1000,5000').split(',').map(Number);
const durationS = Number(process.env['BENCH_DURATION'] ?? 150);
const PROMETHEUS = process.env['PROMETHEUS'] ?? 'prometheus';
const mib = (bytes: number): string => `${(bytes / 2 ** 20).toFixed(0)} MiB`;

/** One run's figures, sent by the child to the parent. */
interface Figures {
  readonly accounts: number;
  readonly hourly: boolean;
  readonly scrapes: number;
  readonly headSeries: number;
  readonly samplesPerScrape: number;
  readonly scrapeDurationMax: number;
  readonly prometheusRss: number;
  readonly prometheusPeakRss: number;
  readonly exporterRss: number;
  readonly load: number;
}

async function listen(server: Server): Promise<number> {
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return (server.address() as AddressInfo).port;
}

/** A port the OS just gave out: Prometheus cannot be told to listen on port 0 and say which. */
async function freePort(): Promise<number> {
  const server = http.createServer();
  const port = await listen(server);
  server.close();
  await once(server, 'close');
  return port;
}

const vmRss = (pid: number): number => Number(/^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) * 1024;

async function query(base: string, expr: string): Promise<number> {
  const res = await fetch(`${base}/api/v1/query?${new URLSearchParams({ query: expr }).toString()}`);
  const body = (await res.json()) as { data?: { result: { value: [number, string] }[] }; error?: string };
  const value = body.data?.result[0]?.value[1];
  if (value === undefined) throw new Error(`${expr}: ${body.error ?? 'no data'}`);
  return Number(value);
}

async function waitReady(base: string): Promise<void> {
  for (let i = 0; i < 600; i++) {
    const ok = await fetch(`${base}/-/ready`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${base} not ready after 120 s`);
}

async function run(accounts: number, hourly: boolean): Promise<Figures> {
  const dir = mkdtempSync(join(tmpdir(), 'wx-bench-prom-'));
  const { sidecar, url } = await Sidecar.start(accounts);
  const config = resolveConfig(
    {
      wechat: { baseUrls: [url] },
      schedule: { lookbackDays: 1, concurrency: 16 },
      metrics: { hourly },
      accounts: benchAccounts(accounts).map((a) => ({ name: a.name, appid: a.appid, secret: a.secret })),
    },
    {},
    'bench',
  );
  const { exporter, store } = buildQuietExporter(config, join(dir, 'store.db'));
  await exporter.pollAll();
  const server = http.createServer(exporterApp(exporter, { store, clock: benchClock, build: BENCH_BUILD }));
  const exporterPort = await listen(server);

  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  writeFileSync(
    join(dir, 'prometheus.yml'),
    [
      `global: { scrape_interval: ${SCRAPE_INTERVAL_S}s, scrape_timeout: 10s }`,
      'scrape_configs:',
      `  - { job_name: wechat, static_configs: [{ targets: ['127.0.0.1:${exporterPort}'] }] }`,
      `  - { job_name: prometheus, static_configs: [{ targets: ['127.0.0.1:${port}'] }] }`,
      '',
    ].join('\n'),
  );
  const prometheus = spawn(
    PROMETHEUS,
    [
      `--config.file=${join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${join(dir, 'tsdb')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--log.level=warn',
    ],
    { stdio: ['ignore', 'ignore', 'inherit'] },
  );
  const pid = prometheus.pid as number;
  try {
    await waitReady(base);
    let peak = 0;
    const sampler = setInterval(() => (peak = Math.max(peak, vmRss(pid))), 1000);
    await new Promise((r) => setTimeout(r, durationS * 1000));
    clearInterval(sampler);
    global.gc?.();
    const window = `[${durationS}s]`;
    return {
      accounts,
      hourly,
      scrapes: await query(base, `count_over_time(up{job="wechat"}${window})`),
      headSeries: await query(base, 'prometheus_tsdb_head_series'),
      samplesPerScrape: await query(base, `max_over_time(scrape_samples_scraped{job="wechat"}${window})`),
      scrapeDurationMax: await query(base, `max_over_time(scrape_duration_seconds{job="wechat"}${window})`),
      prometheusRss: await query(base, 'process_resident_memory_bytes{job="prometheus"}'),
      prometheusPeakRss: Math.max(peak, vmRss(pid)),
      exporterRss: process.memoryUsage().rss,
      load: loadavg()[0] ?? NaN,
    };
  } finally {
    prometheus.kill('SIGTERM');
    await once(prometheus, 'exit');
    await closeBench({ server, exporter, store, sidecar, dir: dir });
  }
}

function print(all: readonly Figures[]): void {
  console.log(
    `\nPrometheus (${PROMETHEUS}) scraping every ${SCRAPE_INTERVAL_S} s for ${durationS} s; node ${process.version}; per 1,000 accounts in brackets`,
  );
  console.log(
    '| accounts | metrics.hourly | scrapes | head series | samples per scrape | scrape duration (max) | Prometheus RSS (peak) | exporter RSS | load |',
  );
  console.log('|---|---|---|---|---|---|---|---|---|');
  for (const f of all) {
    const k = f.accounts / 1000;
    console.log(
      `| ${f.accounts} | ${f.hourly} | ${f.scrapes} | ${f.headSeries} | ${f.samplesPerScrape} (${Math.round(f.samplesPerScrape / k)}) | ` +
        `${f.scrapeDurationMax.toFixed(2)} s | ${mib(f.prometheusRss)} (${mib(f.prometheusPeakRss)}) | ` +
        `${mib(f.exporterRss)} | ${f.load.toFixed(1)} |`,
    );
  }
  // What the hourly gauges add, measured as the difference between the two modes at the same count.
  for (const on of all.filter((f) => f.hourly)) {
    const off = all.find((f) => !f.hourly && f.accounts === on.accounts);
    if (!off) continue;
    const k = on.accounts / 1000;
    console.log(
      `${on.accounts} accounts: the hourly gauges add ${Math.round((on.samplesPerScrape - off.samplesPerScrape) / k)} samples per scrape and ` +
        `${mib((on.prometheusRss - off.prometheusRss) / k)} of Prometheus RSS per 1,000 accounts`,
    );
  }
}

const [only, mode] = process.argv.slice(2);
if (mode !== undefined) {
  // A child: one count, one mode, its figures to the parent.
  process.send?.(await run(Number(only), mode === 'true'));
} else {
  // Each run in its own process: the exporter's RSS must not include the previous run's.
  const all: Figures[] = [];
  for (const n of counts) {
    for (const hourly of [true, false]) {
      const child = fork(fileURLToPath(import.meta.url), [String(n), String(hourly)], { execArgv: process.execArgv, stdio: 'inherit' });
      const [figures] = (await once(child, 'message')) as [Figures];
      await once(child, 'exit');
      all.push(figures);
      console.log(JSON.stringify(figures));
    }
  }
  print(all);
}
