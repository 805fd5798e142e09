/**
 * Memory and store over a long life: the exporter's own wiring (as bench/scale.ts builds it, the
 * simulator and the scrapers in bench/sidecar.ts) at N accounts, its injected clock moved one
 * Beijing day at a time through D days. Each day: the clock (and the simulator's) set to 09:00
 * Beijing, one poll of every account run to completion, a few scrapes of /metrics as Prometheus
 * makes them (OpenMetrics Accept header, gzip). Every K days it prints the process' memory
 * (after a forced GC), the store's size and that day's data calls (exactly 2 per account: one
 * daily, one hourly); at the end, RSS on day 30 against the last day.
 *
 * Each way of running node (bench/ways.ts: image, bin, plain) in its own process, one after the other.
 *
 *   npm run bench:longrun -- [--accounts=1000] [--days=400] [--every=10] [--scrapes=3] [--ways=image,bin]
 *                            [--sqlite-cache-kib=16000]   (the store's page cache as it was)
 *                            [--heap-snapshots=10,40]     (written after those days, to compare)
 *                            [--retention=400d]           (--storage.retention.time: shorter to see the store plateau)
 *                            [--dir=/dev/shm]             (where the store goes; default the system's temp folder)
 *
 * Compiled (dist/bench), as users run the exporter. Prints figures; asserts nothing.
 */
import { once } from 'node:events';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeHeapSnapshot } from 'node:v8';
import { ManualClock } from '../src/clock.js';
import { resolveConfig } from '../src/config/load.js';
import { exporterApp } from '../src/exporter-app.js';
import { assertRetentionFits, DEFAULT_RETENTION_TIME, parseRetention } from '../src/store/retention.js';
import { BENCH_BUILD, buildQuietExporter, closeBench } from './quiet-exporter.js';
import { BENCH_NOW, benchAccounts } from './shared.js';
import { Sidecar } from './sidecar-client.js';
import { runEachWay, startedAgain, wayOfThisProcess } from './ways.js';

const DAY_MS = 86_400_000;
const PROMETHEUS_HEADERS = {
  Accept: 'application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5,*/*;q=0.1',
  'Accept-Encoding': 'gzip',
};

const flag = (name: string, fallback: string): string =>
  process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3) ?? fallback;
const accounts = Number(flag('accounts', '1000'));
const days = Number(flag('days', '400'));
const every = Number(flag('every', '10'));
const scrapes = Number(flag('scrapes', '3'));
const ways = flag('ways', 'image,bin').split(',');
// SQLite's page cache per connection, to see what better-sqlite3's own 16,000 KiB did (store.ts).
// Heap snapshots after these days (in the working directory), to compare what the heap holds.
const snapshotDays = flag('heap-snapshots', '').split(',').filter(Boolean).map(Number);
const cacheKib = process.argv.some((a) => a.startsWith('--sqlite-cache-kib=')) ? Number(flag('sqlite-cache-kib', '')) : undefined;
const retention = parseRetention(flag('retention', DEFAULT_RETENTION_TIME), undefined);
const dir = flag('dir', tmpdir());
const mib = (bytes: number): string => (bytes / 2 ** 20).toFixed(1);

/** Fields of /proc/self/status in bytes (kB there). */
function procStatus(): { rss: number; anon: number } {
  const status = readFileSync('/proc/self/status', 'utf8');
  const kb = (field: string): number => Number(new RegExp(`^${field}:\\s+(\\d+) kB$`, 'm').exec(status)?.[1] ?? NaN) * 1024;
  return { rss: kb('VmRSS'), anon: kb('RssAnon') };
}

const sizeOf = (path: string): number => (existsSync(path) ? statSync(path).size : 0);

interface Sample {
  readonly day: number;
  readonly rss: number;
  readonly anon: number;
}

function report(day: number, calls: number, storePath: string): Sample {
  global.gc?.();
  const m = process.memoryUsage();
  const { rss, anon } = procStatus();
  const store = sizeOf(storePath) + sizeOf(`${storePath}-wal`);
  console.log(
    [
      String(day).padStart(5),
      mib(rss).padStart(8),
      mib(anon).padStart(8),
      mib(m.heapUsed).padStart(9),
      mib(m.external).padStart(9),
      mib(m.arrayBuffers).padStart(8),
      mib(store).padStart(9),
      (calls / accounts).toFixed(2).padStart(14),
    ].join(''),
  );
  return { day, rss, anon };
}

async function run(): Promise<void> {
  const tmp = mkdtempSync(join(dir, 'wx-longrun-'));
  const storePath = join(tmp, 'store.db');
  const { sidecar, url } = await Sidecar.start(accounts);
  const start = new Date(BENCH_NOW).getTime();
  const clock = new ManualClock(start);
  const setDay = async (day: number): Promise<void> => {
    clock.set(start + day * DAY_MS);
    await sidecar.ask({ cmd: 'set-clock', at: clock.now() });
  };
  await setDay(0);
  const config = resolveConfig(
    {
      wechat: { baseUrls: [url] },
      schedule: { concurrency: 16 },
      accounts: benchAccounts(accounts).map((a) => ({ name: a.name, appid: a.appid, secret: a.secret })),
    },
    {},
    'bench',
  );
  // As the daemon: a retention that would delete the lookback window (fetched again every day) is refused.
  try {
    assertRetentionFits(retention, config.schedule.lookbackDays);
  } catch (err) {
    await sidecar.ask({ cmd: 'close' });
    rmSync(tmp, { recursive: true, force: true });
    throw err;
  }
  const { exporter, store } = buildQuietExporter(config, storePath, { clock, retention });
  if (cacheKib !== undefined) store.database.pragma(`cache_size = -${cacheKib}`);
  const server = http.createServer(exporterApp(exporter, { store, clock, build: BENCH_BUILD }));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const metricsUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/metrics`;
  console.log('  day  rss MiB anon MiB heap MiB  ext MiB  ab MiB store MiB  data calls/acct');

  const samples: Sample[] = [];
  let wrongDays = 0;
  for (let day = 0; day <= days; day++) {
    await setDay(day);
    await exporter.pollAll(day === 0 ? 'start' : 'cron');
    const calls = await sidecar.ask<number>({ cmd: 'data-calls' });
    // Day 0 catches up the lookback window; every later day costs one daily and one hourly call.
    if (day > 0 && calls !== 2 * accounts) wrongDays++;
    await sidecar.ask({ cmd: 'load', load: { metricsUrl, headers: PROMETHEUS_HEADERS, concurrency: 1, durationMs: 60_000, scrapes } });
    if (day % every === 0 || day === 30 || day === days) samples.push(report(day, calls, storePath));
    if (snapshotDays.includes(day)) console.log(`heap snapshot: ${writeHeapSnapshot(`longrun-day${day}.heapsnapshot`)}`);
  }
  const at = (day: number): Sample | undefined => samples.find((s) => s.day === day);
  const d30 = at(30);
  const last = at(days);
  if (d30 && last)
    console.log(
      `RSS day 30 ${mib(d30.rss)} MiB, day ${days} ${mib(last.rss)} MiB: ratio ${(last.rss / d30.rss).toFixed(3)}` +
        ` (anonymous ${mib(d30.anon)} -> ${mib(last.anon)} MiB, ${(last.anon / d30.anon).toFixed(3)})`,
    );
  console.log(`days with other than 2 data calls per account: ${wrongDays}`);
  await closeBench({ server, exporter, store, sidecar, dir: tmp });
}

if (wayOfThisProcess() !== undefined) {
  if (!(await startedAgain())) await run();
} else {
  const cache = cacheKib === undefined ? '' : `, SQLite page cache ${cacheKib} KiB`;
  await runEachWay(
    import.meta.url,
    ways,
    process.argv.slice(2),
    (w) =>
      `${w}: ${accounts} accounts, ${days} days, retention ${flag('retention', DEFAULT_RETENTION_TIME)}, ${scrapes} scrapes a day${cache}`,
  );
}
