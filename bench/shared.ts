/** What bench/scale.ts and its sidecar agree on. */
export const BENCH_NOW = '2026-03-10T09:00:00+08:00';

export interface BenchAccount {
  readonly name: string;
  readonly appid: string;
  readonly secret: string;
}

export function benchAccounts(n: number): BenchAccount[] {
  return Array.from({ length: n }, (_, i) => ({
    name: `acct-${i}`,
    appid: `wx${i.toString(16).padStart(16, '0')}`,
    secret: `bench-secret-${i.toString().padStart(12, '0')}`,
  }));
}

export interface LoadRequest {
  readonly metricsUrl: string;
  readonly headers: Record<string, string>;
  readonly concurrency: number;
  readonly durationMs: number;
  /** Stop after this many scrapes in all (bench/longrun.ts), rather than after `durationMs`. */
  readonly scrapes?: number;
  /** The exporter's process: its RSS is sampled (from /proc, every 100 ms) by the sidecar, not by itself. */
  readonly pid?: number;
}

/** Scrapes `url` until its (gunzipped) body contains `needle`; done in the sidecar so that the probe's gunzip is not the exporter's CPU. */
export interface UntilRequest {
  readonly url: string;
  readonly headers: Record<string, string>;
  readonly needle: string;
}

export interface LoadResult {
  readonly scrapes: number;
  readonly p50: number;
  readonly p99: number;
  /** Bytes of the last response (as sent: compressed when gzip). */
  readonly bytes: number;
  /** Peak VmRSS of `pid` during the load (bytes), when a pid was given. */
  readonly peakRss?: number | undefined;
}

/** What bench/prober.ts probes: GET `url` every `intervalMs` (after the answer) for `durationMs`. */
export interface ProbeRequest {
  readonly url: string;
  readonly durationMs: number;
  readonly intervalMs: number;
}

export interface ProbeResult {
  readonly probes: number;
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
}

export type SidecarMessage =
  | { id: number; cmd: 'calls' | 'reset' | 'close' | 'peak' | 'data-calls' }
  | { id: number; cmd: 'set-clock'; at: number }
  | { id: number; cmd: 'watch'; pid: number }
  | { id: number; cmd: 'load'; load: LoadRequest }
  | { id: number; cmd: 'until'; until: UntilRequest };
