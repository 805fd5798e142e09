/**
 * How the exporter scales with the number of accounts (third-party platforms run thousands).
 * For each count, in a fresh process: the first poll (catching up the lookback window) against
 * the simulator, RSS after it, `concurrency` scrapers with Prometheus' Accept header and gzip for
 * BENCH_DURATION seconds while `/-/healthy` is probed every 0.5 s (from a process of its own), the same bytes from a plain
 * Buffer server for comparison, and a restart on the filled store. The simulator and the load run
 * in a sidecar process (bench/sidecar.ts) so that their CPU and memory are not the exporter's.
 * Prints figures; asserts nothing; not part of `npm test`.
 *
 *   npm run bench -- [accounts=1000,5000] [lookbackDays=1]      BENCH_DURATION=60 BENCH_SCRAPERS=8 BENCH_WAYS=image,bin
 *
 * Each count is run in each way of running node (bench/ways.ts): as the image runs it (its flags
 * and environment given by hand) and as the bin runs it (plain `node`, the program's own start
 * applying them); `plain` is the bin with that start opted out.
 *
 * It runs compiled (dist/bench), as the exporter runs in production: under tsx, the loaded
 * compiler alone adds some 50 MiB of RSS.
 */
import { once } from 'node:events';
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import http, { type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { resolveConfig } from '../src/config/load.js';
import type { Exporter } from '../src/exporter.js';
import { exporterApp } from '../src/exporter-app.js';
import type { Store } from '../src/store/store.js';
import { landingAtThousand } from './landing.js';
import { BENCH_BUILD, benchClock, buildQuietExporter, closeBench } from './quiet-exporter.js';
import { forkBeside, Sidecar } from './sidecar-client.js';
import { runEachWay, startedAgain, WAY_TITLES, wayOfThisProcess } from './ways.js';
import { benchAccounts, type LoadResult, type ProbeRequest, type ProbeResult } from './shared.js';

const PROMETHEUS_HEADERS = {
  Accept:
    'application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1',
  'Accept-Encoding': 'gzip',
};
const counts = (process.argv[2] ?? '1000,5000').split(',').map(Number);
const lookbackDays = Number(process.argv[3] ?? 1);
const durationMs = Number(process.env['BENCH_DURATION'] ?? 60) * 1000;
const concurrency = Number(process.env['BENCH_SCRAPERS'] ?? 8);
const ways = (process.env['BENCH_WAYS'] ?? 'image,bin').split(',');
const mib = (bytes: number): string => `${(bytes / 2 ** 20).toFixed(1)} MiB`;
const ms = (t: number | undefined): string => (t === undefined ? '-' : `${t.toFixed(1)} ms`);
const line = (label: string, text: string): void => console.log(`${label.padEnd(34)}${text}`);

async function listen(server: Server): Promise<string> {
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function fetchBody(url: string, headers: Record<string, string>): Promise<{ body: Buffer; headers: http.IncomingHttpHeaders }> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ body: Buffer.concat(chunks), headers: res.headers }));
      })
      .on('error', reject);
  });
}

/** RssAnon and RssFile of this process (/proc/self/status, kB): the heaps, and the mapped code. */
function rssParts(): string {
  const status = readFileSync('/proc/self/status', 'utf8');
  const kb = (field: string): number => Number(new RegExp(`^${field}:\\s+(\\d+) kB$`, 'm').exec(status)?.[1] ?? NaN) * 1024;
  return `anon ${mib(kb('RssAnon'))}, file ${mib(kb('RssFile'))}`;
}

/** `/-/healthy` probed every 0.5 s for the load's duration, from a process of its own (bench/prober.ts). */
async function probeHealth(url: string): Promise<ProbeResult> {
  const child = forkBeside('prober', []);
  const request: ProbeRequest = { url, durationMs, intervalMs: 500 };
  child.send(request);
  const [result] = (await once(child, 'message')) as [ProbeResult];
  return result;
}

const probed = (h: ProbeResult): string => `p99 ${ms(h.p99)}, p50 ${ms(h.p50)}, max ${ms(h.max)} (${h.probes} probes, new connection each)`;

function memory(label: string): void {
  global.gc?.();
  const m = process.memoryUsage();
  line(
    label,
    `rss ${mib(m.rss)} (${rssParts()}; heap used ${mib(m.heapUsed)} of ${mib(m.heapTotal)}, external ${mib(m.external)}, array buffers ${mib(m.arrayBuffers)})`,
  );
}

async function run(accounts: number): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'wx-bench-'));
  const storePath = join(dir, 'store.db');
  const { sidecar, url } = await Sidecar.start(accounts);
  const config = resolveConfig(
    {
      wechat: { baseUrls: [url] },
      schedule: { lookbackDays, concurrency: 16 },
      accounts: benchAccounts(accounts).map((a) => ({ name: a.name, appid: a.appid, secret: a.secret })),
    },
    {},
    'bench',
  );
  console.log(
    `\n== ${accounts} accounts, lookback ${lookbackDays} day(s), ${concurrency} scrapers for ${durationMs / 1000} s, node ${process.version}`,
  );
  memory('before the exporter');
  let { exporter, store } = buildQuietExporter(config, storePath);
  await sidecar.ask({ cmd: 'watch', pid: process.pid });
  let t0 = performance.now();
  await exporter.pollAll();
  const firstPoll = performance.now() - t0;
  line('first poll', `${ms(firstPoll)} (${await sidecar.ask<number>({ cmd: 'calls' })} API calls)`);
  memory('after first poll, before a scrape');
  const appOf = (e: Exporter, s: Store): http.RequestListener => exporterApp(e, { store: s, clock: benchClock, build: BENCH_BUILD });
  let server = http.createServer(appOf(exporter, store));
  let base = await listen(server);
  t0 = performance.now();
  const sample = await fetchBody(`${base}/metrics`, PROMETHEUS_HEADERS);
  line('first scrape (prepares)', ms(performance.now() - t0));
  // The gzip trailer's ISIZE: gunzipping 13 MiB here would be counted in the RSS measured next.
  const plainLength = sample.body.readUInt32LE(sample.body.length - 4);
  line(
    '/metrics size',
    `${mib(plainLength)} OpenMetrics, ${mib(sample.body.length)} gzipped (${(sample.body.length / plainLength).toFixed(3)})`,
  );
  memory('after first poll');
  const firstPeak = await sidecar.ask<number | undefined>({ cmd: 'peak' });
  line('peak RSS, first poll + preparing', firstPeak === undefined ? '-' : mib(firstPeak));
  // The status page is rendered per request from the in-memory states: its cost at 1,000 accounts.
  landingAtThousand(exporter.accounts);

  // The machine's own noise: the event loop's delay while nothing happens.
  const idle = monitorEventLoopDelay({ resolution: 10 });
  idle.enable();
  await new Promise((r) => setTimeout(r, 3000));
  idle.disable();
  line(
    'event-loop delay, idle (3 s)',
    `p99 ${ms(idle.percentile(99) / 1e6)}, max ${ms(idle.max / 1e6)} (load average ${loadavg()[0]?.toFixed(1)} on ${cpus().length} CPUs)`,
  );
  const loop = monitorEventLoopDelay({ resolution: 10 });
  loop.enable();
  const cpu0 = process.cpuUsage();
  // The RSS is sampled by the sidecar from /proc: sampling it here cost the exporter's event loop
  // a few milliseconds every 100 ms on a loaded machine.
  const [load, health] = await Promise.all([
    sidecar.ask<LoadResult>({
      cmd: 'load',
      load: {
        metricsUrl: `${base}/metrics`,
        headers: PROMETHEUS_HEADERS,
        concurrency,
        durationMs,
        pid: process.pid,
      },
    }),
    probeHealth(`${base}/-/healthy`),
  ]);
  const cpu = process.cpuUsage(cpu0);
  line(
    'scrape (exporter)',
    `p50 ${ms(load.p50)}, p99 ${ms(load.p99)}, ${load.scrapes} scrapes, ${(load.scrapes / (durationMs / 1000)).toFixed(1)}/s`,
  );
  line('exporter CPU per scrape', ms((cpu.user + cpu.system) / 1000 / load.scrapes));
  loop.disable();
  line('/-/healthy under that load', probed(health));
  line('event-loop delay', `p99 ${ms(loop.percentile(99) / 1e6)}, max ${ms(loop.max / 1e6)} (in the exporter)`);
  line('peak RSS while scraping', load.peakRss === undefined ? '-' : mib(load.peakRss));
  memory('after scraping');

  // The same bytes from a plain Buffer: the floor of what serving them costs on this machine.
  const buffer = http.createServer((req, res) => {
    if (req.url === '/-/healthy') {
      res.end('Healthy');
      return;
    }
    res.writeHead(200, {
      'Content-Type': String(sample.headers['content-type']),
      'Content-Encoding': 'gzip',
      'Content-Length': sample.body.length,
    });
    res.end(sample.body);
  });
  const bufferUrl = await listen(buffer);
  const floorCpu0 = process.cpuUsage();
  const [floor, floorHealth] = await Promise.all([
    sidecar.ask<LoadResult>({ cmd: 'load', load: { metricsUrl: bufferUrl, headers: PROMETHEUS_HEADERS, concurrency, durationMs } }),
    probeHealth(`${bufferUrl}/-/healthy`),
  ]);
  const floorCpu = process.cpuUsage(floorCpu0);
  line('scrape (Buffer server)', `p50 ${ms(floor.p50)}, p99 ${ms(floor.p99)}, ${floor.scrapes} scrapes`);
  line('Buffer server CPU per scrape', ms((floorCpu.user + floorCpu.system) / 1000 / floor.scrapes));
  line('/-/healthy of the Buffer server', probed(floorHealth));
  line('scrape p50 ratio exporter/Buffer', (load.p50 / floor.p50).toFixed(2));
  buffer.close();

  server.closeAllConnections();
  server.close();
  await exporter.stop();
  store.close();
  line('store size', mib(statSync(storePath).size));
  await sidecar.ask({ cmd: 'reset' });
  t0 = performance.now();
  ({ exporter, store } = buildQuietExporter(config, storePath));
  server = http.createServer(appOf(exporter, store));
  base = await listen(server);
  const built = performance.now() - t0;
  const polled = exporter.pollAll('start');
  // Probed by the sidecar: gunzipping 12 MiB per probe here was the exporter's CPU.
  await sidecar.ask({
    cmd: 'until',
    until: { url: `${base}/metrics`, headers: PROMETHEUS_HEADERS, needle: 'wechat_interface_day_callbacks{' },
  });
  const toData = performance.now() - t0;
  await polled;
  line('restart to data', `${ms(toData)} (exporter built in ${ms(built)}; ${await sidecar.ask<number>({ cmd: 'calls' })} API calls)`);
  await closeBench({ server, exporter, store, sidecar, dir: dir });
}

if (wayOfThisProcess() !== undefined) {
  if (!(await startedAgain())) await run(counts[0] ?? 1000);
} else {
  // Each count and each way of running node in its own process: the RSS of one must not include another's.
  for (const n of counts)
    await runEachWay(import.meta.url, ways, [String(n), String(lookbackDays)], (w) => `${n} accounts, ${WAY_TITLES[w] ?? w}`);
}
