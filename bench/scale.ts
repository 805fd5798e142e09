/**
 * How the exporter scales with the number of accounts (third-party platforms run hundreds):
 * the first poll (catching up the lookback window) against the simulator on 127.0.0.1, a restart
 * on the filled store, and the cost of a scrape. Prints figures; asserts nothing.
 *
 *   npm run bench -- [accounts=500] [lookbackDays=7]
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import request from 'supertest';
import { offsetClock } from '../src/clock.js';
import { resolveConfig } from '../src/config/load.js';
import { Exporter } from '../src/exporter.js';
import { exporterApp } from '../src/exporter-app.js';
import { createLogger } from '../src/log.js';
import { Redactor } from '../src/redact.js';
import { WechatSimulator } from '../src/simulator/index.js';
import { Store } from '../src/store/store.js';
import { Writable } from 'node:stream';

const accounts = Number(process.argv[2] ?? 500);
const lookbackDays = Number(process.argv[3] ?? 7);
const clock = offsetClock('2026-03-10T09:00:00+08:00');
const list = Array.from({ length: accounts }, (_, i) => ({
  name: `acct-${i}`,
  appid: `wx${i.toString(16).padStart(16, '0')}`,
  secret: `bench-secret-${i.toString().padStart(12, '0')}`,
}));
const mb = (bytes: number): string => `${(bytes / 2 ** 20).toFixed(1)} MiB`;
const ms = (t: number): string => `${t.toFixed(1)} ms`;

const sim = new WechatSimulator({ accounts: list, clock });
const url = await sim.listen(0, '127.0.0.1');
const dir = mkdtempSync(join(tmpdir(), 'wx-bench-'));
const storePath = join(dir, 'store.db');
const resolved = resolveConfig(
  {
    wechat: { baseUrls: [url] },
    schedule: { lookbackDays, concurrency: 16 },
    accounts: list.map((a) => ({ name: a.name, appid: a.appid, secret: a.secret })),
  },
  {},
  'bench',
);
const quiet = new Writable({ write: (_c, _e, cb) => cb() });

function build(): { exporter: Exporter; store: Store } {
  const redactor = new Redactor();
  const store = new Store(storePath);
  const exporter = new Exporter({
    config: resolved,
    store,
    clock,
    logger: createLogger({ level: 'warn', format: 'json', redactor, stream: quiet }),
    redactor,
    env: {},
    build: { version: 'bench', revision: 'bench', nodejs: process.version },
  });
  return { exporter, store };
}

console.log(`accounts: ${accounts}, lookback: ${lookbackDays} days, node ${process.version}`);
let t0 = performance.now();
let { exporter, store } = build();
console.log(`build exporter:            ${ms(performance.now() - t0)}`);
t0 = performance.now();
await exporter.pollAll();
const firstPoll = performance.now() - t0;
console.log(
  `first poll (catch-up):     ${ms(firstPoll)}  (${sim.calls.length} API calls, ${(sim.calls.length / (firstPoll / 1000)).toFixed(0)} calls/s)`,
);
console.log(`store size:                ${mb(statSync(storePath).size)} (+ WAL)`);
await exporter.stop();
store.close();

sim.resetCalls();
t0 = performance.now();
({ exporter, store } = build());
console.log(`restart (load gauges):     ${ms(performance.now() - t0)}`);
t0 = performance.now();
await exporter.pollAll();
console.log(`poll with all stored:      ${ms(performance.now() - t0)}  (${sim.calls.length} API calls)`);

const app = exporterApp(exporter, { store, clock, build: { version: 'bench', revision: 'bench', nodejs: process.version } });
const first = await request(app).get('/metrics');
const times: number[] = [];
for (let i = 0; i < 30; i++) {
  const t = performance.now();
  await request(app).get('/metrics');
  times.push(performance.now() - t);
}
times.sort((a, b) => a - b);
console.log(
  `scrape /metrics:           median ${ms(times[15] ?? 0)}, max ${ms(times[29] ?? 0)}; ${mb(first.text.length)}, ${first.text.split('\n').filter((l) => l && !l.startsWith('#')).length} samples`,
);
const t = performance.now();
await request(app).get('/');
console.log(`landing page:              ${ms(performance.now() - t)}`);
global.gc?.();
const mem = process.memoryUsage();
console.log(`memory after scrapes:      rss ${mb(mem.rss)}, heap used ${mb(mem.heapUsed)}`);

await exporter.stop();
store.close();
await sim.close();
rmSync(dir, { recursive: true, force: true });
