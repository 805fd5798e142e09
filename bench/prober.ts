/**
 * The health probe of bench/scale.ts, in a process of its own as the kubelet is: in the sidecar,
 * whose event loop is busy receiving the scrapers' megabytes, a probe's answer waited there too.
 * Like the kubelet, each probe opens a new connection. Prints nothing; replies over IPC.
 */
import http from 'node:http';
import { performance } from 'node:perf_hooks';
import type { ProbeRequest, ProbeResult } from './shared.js';

function probe(url: string): Promise<number> {
  const t = performance.now();
  return new Promise((resolve, reject) => {
    http
      .get(url, { agent: false }, (res) => {
        res.resume();
        res.on('end', () => (res.statusCode === 200 ? resolve(performance.now() - t) : reject(new Error(`${url}: ${res.statusCode}`))));
      })
      .on('error', reject);
  });
}

process.once('message', (req: ProbeRequest) => {
  void (async () => {
    const end = performance.now() + req.durationMs;
    const times: number[] = [];
    while (performance.now() < end) {
      times.push(await probe(req.url));
      await new Promise((r) => setTimeout(r, req.intervalMs));
    }
    times.sort((a, b) => a - b);
    const at = (p: number): number => times[Math.min(times.length - 1, Math.floor((times.length * p) / 100))] ?? NaN;
    const result: ProbeResult = { probes: times.length, p50: at(50), p99: at(99), max: times[times.length - 1] ?? NaN };
    process.send?.(result, () => process.disconnect());
  })();
});
