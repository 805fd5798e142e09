/**
 * The bench's other process: the WeChat simulator and the load (the scrapers), so
 * that neither their CPU nor their memory is counted as the exporter's. Driven over IPC by
 * bench/scale.ts.
 */
import { readFileSync } from 'node:fs';
import http from 'node:http';
import { gunzipSync } from 'node:zlib';
import { performance } from 'node:perf_hooks';
import { ManualClock, offsetClock, type Clock } from '../src/clock.js';
import { WechatSimulator } from '../src/simulator/index.js';
import { benchAccounts, BENCH_NOW, type LoadRequest, type LoadResult, type SidecarMessage, type UntilRequest } from './shared.js';

const accounts = Number(process.argv[2]);
// Runs from BENCH_NOW at normal speed, until bench/longrun.ts sets it (`set-clock`): then it stands
// at the time set, as the exporter's injected clock does.
let manual: ManualClock | undefined;
const running = offsetClock(BENCH_NOW);
const clock: Clock = { now: () => (manual ?? running).now() };
const sim = new WechatSimulator({ accounts: benchAccounts(accounts), clock });
const url = await sim.listen(0, '127.0.0.1');

const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });

function get(target: string, headers: Record<string, string>, keep = false): Promise<{ ms: number; bytes: number; body?: Buffer }> {
  const t = performance.now();
  return new Promise((resolve, reject) => {
    http
      .get(target, { agent, headers }, (res) => {
        let bytes = 0;
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => {
          bytes += c.length;
          if (keep) chunks.push(c);
        });
        res.on('end', () =>
          res.statusCode === 200
            ? resolve({ ms: performance.now() - t, bytes, ...(keep ? { body: Buffer.concat(chunks) } : {}) })
            : reject(new Error(`${target}: ${res.statusCode}`)),
        );
      })
      .on('error', reject);
  });
}

/** VmRSS of a process in bytes (/proc/<pid>/status, kB). */
function rssOf(pid: number): number {
  const kb = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
  return Number(kb ?? 0) * 1024;
}

async function until(req: UntilRequest): Promise<null> {
  for (;;) {
    const { body } = await get(req.url, req.headers, true);
    if (body && gunzipSync(body).includes(req.needle)) return null;
  }
}

const pct = (sorted: number[], p: number): number => sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))] ?? NaN;

/** The peak RSS of a watched process since `watch` (sampled every 100 ms). */
let watched: { pid: number; peak: number; timer: NodeJS.Timeout } | undefined;
function watch(pid: number): null {
  clearInterval(watched?.timer);
  const w = { pid, peak: rssOf(pid), timer: setInterval(() => (w.peak = Math.max(w.peak, rssOf(pid))), 100) };
  watched = w;
  return null;
}
function peak(): number | undefined {
  clearInterval(watched?.timer);
  const p = watched?.peak;
  watched = undefined;
  return p;
}

async function load(req: LoadRequest): Promise<LoadResult> {
  const end = performance.now() + req.durationMs;
  let left = req.scrapes ?? Infinity;
  const scrapes: number[] = [];
  let bytes = 0;
  const scraper = async (): Promise<void> => {
    while (performance.now() < end && left-- > 0) {
      const r = await get(req.metricsUrl, req.headers);
      scrapes.push(r.ms);
      bytes = r.bytes;
    }
  };
  const pid = req.pid;
  let peakRss = pid === undefined ? undefined : rssOf(pid);
  const sampler = pid === undefined ? undefined : setInterval(() => (peakRss = Math.max(peakRss ?? 0, rssOf(pid))), 100);
  await Promise.all(Array.from({ length: req.concurrency }, scraper));
  clearInterval(sampler);
  scrapes.sort((a, b) => a - b);
  return {
    scrapes: scrapes.length,
    p50: pct(scrapes, 50),
    p99: pct(scrapes, 99),
    bytes,
    peakRss,
  };
}

/** Calls to the two data APIs since the last time asked; the record of calls starts again (it would grow for 400 days). */
function dataCalls(): number {
  const n = sim.calls.filter((c) => c.api === 'getinterfacesummary' || c.api === 'getinterfacesummaryhour').length;
  sim.resetCalls();
  return n;
}

process.on('message', (m: SidecarMessage) => {
  const reply = (value: unknown): void => void process.send?.({ id: m.id, value });
  if (m.cmd === 'calls') reply(sim.calls.length);
  else if (m.cmd === 'reset') reply(sim.resetCalls());
  else if (m.cmd === 'data-calls') reply(dataCalls());
  else if (m.cmd === 'set-clock') reply(((manual ??= new ManualClock(m.at)), manual.set(m.at), null));
  else if (m.cmd === 'load') void load(m.load).then(reply);
  else if (m.cmd === 'until') void until(m.until).then(reply);
  else if (m.cmd === 'watch') reply(watch(m.pid));
  else if (m.cmd === 'peak') reply(peak());
  else if (m.cmd === 'close')
    void sim.close().then(() => {
      agent.destroy();
      reply(null);
      process.disconnect();
    });
});
process.send?.({ id: 0, value: url });
