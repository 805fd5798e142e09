import { Counter, Histogram, type Registry } from 'prom-client';
import type { ApiName } from '../errors.js';

/** The outcome label of `wechat_exporter_api_requests_total` (README "Metrics"; `aborted`: abandoned at shutdown). */
export type ApiOutcome = 'ok' | 'wechat_error' | 'http_error' | 'network_error' | 'invalid_response' | 'aborted';

/**
 * The API-call metrics of README "Metrics", registered in an injected registry (never prom-client's
 * global one), so that each exporter instance and each test has its own.
 */
export class ApiMetrics {
  readonly requests: Counter<'appid' | 'api' | 'outcome'>;
  readonly errors: Counter<'appid' | 'api' | 'errcode'>;
  readonly duration: Histogram<'api'>;
  readonly tokenRefreshes: Counter<'appid' | 'outcome'>;
  readonly rowsDropped: Counter<'appid' | 'api'>;

  #generation = 0;

  /**
   * Bumped by every change to these metrics (they change only while WeChat is called), so that a
   * scrape can reuse their last rendering, thousands of series at a platform's scale, meanwhile.
   */
  get generation(): number {
    return this.#generation;
  }

  /** The names of these metrics in the registry. */
  readonly names: readonly string[];

  constructor(registry: Registry) {
    const registers = [registry];
    this.requests = new Counter({
      name: 'wechat_exporter_api_requests_total',
      help: 'Calls to WeChat APIs, by outcome (ok, wechat_error, http_error, network_error, invalid_response).',
      labelNames: ['appid', 'api', 'outcome'] as const,
      registers,
    });
    this.errors = new Counter({
      name: 'wechat_exporter_api_errors_total',
      help: 'WeChat error answers ({"errcode":N}), by errcode.',
      labelNames: ['appid', 'api', 'errcode'] as const,
      registers,
    });
    this.duration = new Histogram({
      name: 'wechat_exporter_api_request_duration_seconds',
      help: 'Latency of calls to WeChat APIs.',
      labelNames: ['api'] as const,
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers,
    });
    this.tokenRefreshes = new Counter({
      name: 'wechat_exporter_token_refreshes_total',
      help: 'Access-token fetches, by outcome (ok, error).',
      labelNames: ['appid', 'outcome'] as const,
      registers,
    });
    this.rowsDropped = new Counter({
      name: 'wechat_exporter_api_rows_dropped_total',
      help: 'Rows WeChat returned for dates outside the requested range, dropped.',
      labelNames: ['appid', 'api'] as const,
      registers,
    });
    const watched = [
      [this.requests, 'inc'],
      [this.errors, 'inc'],
      [this.duration, 'observe'],
      [this.tokenRefreshes, 'inc'],
      [this.rowsDropped, 'inc'],
    ] as const;
    this.names = watched.map(([metric]) => (metric as unknown as { name: string }).name);
    // Callers use the metrics directly (inc, observe); counting at the source catches them all.
    for (const [metric, method] of watched) {
      const target = metric as unknown as Record<string, (...args: unknown[]) => void>;
      const original = (target[method] as (...args: unknown[]) => void).bind(metric);
      target[method] = (...args: unknown[]) => {
        this.#generation++;
        original(...args);
      };
    }
  }

  record(appid: string, api: ApiName, outcome: ApiOutcome, seconds: number, errcode?: number): void {
    this.requests.inc({ appid, api, outcome });
    this.duration.observe({ api }, seconds);
    if (errcode !== undefined) this.errors.inc({ appid, api, errcode: String(errcode) });
  }
}
