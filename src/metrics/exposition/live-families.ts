import { performance } from 'node:perf_hooks';
import { Registry, type Metric } from 'prom-client';
import { renderMetrics } from '../render.js';
import { gzipPieceSync, type GzipPiece } from './gzip-member.js';

/** Registry metrics that change only at known moments, and a number that changes with them. */
export interface StableMetrics {
  readonly names: readonly string[];
  /** Changes whenever one of them does. */
  readonly generation: number;
}

/** A run of consecutive registry families, joined as the registry joins them, without its end. */
export interface LiveRun {
  readonly text: Buffer;
  readonly gzip: GzipPiece;
}

const END = { text: '\n', openMetrics: '\n# EOF\n' } as const;

/**
 * The prom-client registry's families (API counters and histograms, quota gauges, process
 * metrics), rendered by prom-client at scrape time in registry order. The API metrics change only
 * while WeChat is called, the quota gauges once a day per account, yet both hold thousands of
 * series at a platform's scale: their rendering (and its gzip) is reused until their generation
 * moves. The process metrics are sampled again after `maxAgeMs`.
 */
export class LiveFamilies {
  readonly #registry: Registry;
  readonly #stable: readonly StableMetrics[];
  /** By position and format: the rendering and the generation it shows. */
  readonly #cache = new Map<string, { generation: number; at: number; count: number; run: Promise<LiveRun> }>();

  readonly #maxAgeMs: number;

  /**
   * @param maxAgeMs how long the other (process) metrics' rendering serves concurrent scrapes:
   *   sampling the process costs about a millisecond, and a burst of scrapes (several Prometheus
   *   servers, a dashboard's refresh) need not pay it each. @default 1000
   */
  constructor(registry: Registry, stable: readonly StableMetrics[] = [], maxAgeMs = 1000) {
    this.#registry = registry;
    this.#stable = stable;
    this.#maxAgeMs = maxAgeMs;
  }

  async runs(openMetrics: boolean): Promise<LiveRun[]> {
    const stableNames = new Set(this.#stable.flatMap((s) => s.names));
    const groups: { stable: boolean; metrics: Metric[] }[] = [];
    for (const metric of this.#registry.getMetricsAsArray() as unknown as (Metric & { name: string })[]) {
      const stable = stableNames.has(metric.name);
      const last = groups[groups.length - 1];
      if (last && last.stable === stable) last.metrics.push(metric);
      else groups.push({ stable, metrics: [metric] });
    }
    // Each part's generation only grows: their sum moves whenever one of them does.
    const generation = this.#stable.reduce((sum, s) => sum + s.generation, 0);
    const now = performance.now();
    return Promise.all(
      groups.map(async (g, i) => {
        const key = `${i} ${openMetrics}`;
        const cached = this.#cache.get(key);
        const valid = g.stable ? cached?.generation === generation : cached !== undefined && now - cached.at < this.#maxAgeMs;
        if (cached && valid && cached.count === g.metrics.length) return cached.run;
        // The promise is kept, so that scrapes arriving meanwhile share this rendering.
        const run = this.#render(g.metrics, openMetrics);
        this.#cache.set(key, { generation, at: now, count: g.metrics.length, run });
        run.catch(() => this.#cache.delete(key));
        return run;
      }),
    );
  }

  async #render(metrics: readonly Metric[], openMetrics: boolean): Promise<LiveRun> {
    const registry = new Registry();
    for (const m of metrics) registry.registerMetric(m);
    const { body } = await renderMetrics(registry, openMetrics);
    const text = Buffer.from(body.slice(0, body.length - END[openMetrics ? 'openMetrics' : 'text'].length));
    return { text, gzip: gzipPieceSync(text) };
  }
}
