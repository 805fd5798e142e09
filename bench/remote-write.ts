/**
 * Remote write: the cost of encoding an account-day, the size on the wire, and how fast a
 * `backfill --remote-write` of a long range goes into a real VictoriaMetrics (Debian package) on
 * 127.0.0.1, checked sample for sample. Prints figures; asserts nothing.
 *
 *   node --import tsx bench/remote-write.ts [accounts=5] [days=400]
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Writable } from 'node:stream';
import { systemClock } from '../src/clock.js';
import { addDays, eachDay, yesterdayInBeijing } from '../src/dates.js';
import { createLogger } from '../src/log.js';
import { Redactor } from '../src/redact.js';
import { encodeWriteRequest, historyTimeSeries, sampleCount } from '../src/remote-write/encode.js';
import { pushRange } from '../src/remote-write/push-range.js';
import { simulatedDay, simulatedHours } from '../src/simulator/index.js';
import { readHistory } from '../src/store/history.js';
import { Store } from '../src/store/store.js';
import { parseDailySummary, parseHourlySummary } from '../src/wechat/summary.js';
import { freePort } from '../test/helpers/daemon-process.js';
import { victoriaRawSamples } from '../test/remote-write/support/receivers.js';

const accounts = Number(process.argv[2] ?? 5);
const days = Number(process.argv[3] ?? 400);
const list = Array.from({ length: accounts }, (_, i) => ({ name: `acct-${i}`, appid: `wx${i.toString(16).padStart(16, '0')}` }));
const to = yesterdayInBeijing(Date.now());
const from = addDays(to, -(days - 1));
const dir = mkdtempSync(join(tmpdir(), 'wx-bench-rw-'));
const store = new Store(join(dir, 'store.db'));

// The store filled with the simulator's days, through the real response parsers.
for (const a of list) {
  for (const d of eachDay(from, to)) {
    const range = { from: d, to: d };
    const [daily] = parseDailySummary({ errcode: 0, list: [simulatedDay(a.appid, d)] }, range).rows;
    const hours = parseHourlySummary({ errcode: 0, list: simulatedHours(a.appid, d) }, range).rows;
    store.saveDay(a.appid, { refDate: d, status: 'complete', daily, hours }, Date.now());
  }
}

let raw = 0;
let wire = 0;
let samples = 0;
const t0 = performance.now();
for (const a of list) {
  for (const day of readHistory(store, a.appid, from, to).days) {
    const series = historyTimeSeries([{ ...a, days: [day] }]);
    const body = encodeWriteRequest(series);
    wire += body.length;
    samples += sampleCount(series);
    raw += series.reduce((n, s) => n + s.samples.length * 17 + 80, 0);
  }
}
const encodeMs = performance.now() - t0;
const accountDays = accounts * days;
console.log(`${accountDays} account-days, ${samples} samples (${(samples / accountDays).toFixed(1)} per account-day)`);
console.log(`encode (read store + protobuf + snappy): ${((encodeMs / accountDays) * 1000).toFixed(0)} µs per account-day`);
console.log(`on the wire: ${(wire / accountDays).toFixed(0)} bytes per request (snappy), ${(wire / samples).toFixed(1)} bytes per sample`);
void raw;

const vmDir = join(dir, 'vm');
const port = await freePort();
const vm = spawn(
  'victoria-metrics',
  [`-httpListenAddr=127.0.0.1:${port}`, `-storageDataPath=${vmDir}`, '-retentionPeriod=100y', '-loggerLevel=ERROR'],
  {
    stdio: 'ignore',
  },
);
try {
  const base = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 100; i++) {
    if ((await fetch(`${base}/health`).catch(() => undefined))?.ok) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  const sink = new Writable({ write: (_c, _e, cb) => cb() });
  const t1 = performance.now();
  const ok = await pushRange({
    url: `${base}/api/v1/write`,
    configured: [],
    accounts: list,
    from,
    to,
    store,
    clock: systemClock,
    log: createLogger({ level: 'error', format: 'json', redactor: new Redactor(), stream: sink }),
    redactor: new Redactor(),
    userAgent: 'bench',
    report: () => undefined,
  });
  const pushMs = performance.now() - t1;
  console.log(
    `backfill --remote-write into VictoriaMetrics: ${(pushMs / 1000).toFixed(1)} s, ${((accountDays / pushMs) * 1000).toFixed(0)} requests/s, ${((samples / pushMs) * 1000).toFixed(0)} samples/s, all accepted: ${ok}`,
  );
  let stored = 0;
  for (let i = 0; i < 60 && stored < samples; i++) {
    await new Promise((r) => setTimeout(r, 500));
    stored = await victoriaRawSamples(base, '{__name__=~"wechat_interface_history_.+"}');
  }
  console.log(`VictoriaMetrics holds ${stored} raw samples (store: ${samples})`);
} finally {
  vm.kill('SIGTERM');
  store.close();
  await new Promise((r) => setTimeout(r, 500));
  rmSync(dir, { recursive: true, force: true });
}
