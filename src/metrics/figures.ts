import type { SummaryFigures } from '../wechat/summary.js';

/** The five figures exported per day and per hour, as metric name suffixes. */
export type Figure = 'callbacks' | 'failures' | 'time_cost_seconds' | 'latency_average_seconds' | 'latency_max_seconds';

export const FIGURES: readonly Figure[] = ['callbacks', 'failures', 'time_cost_seconds', 'latency_average_seconds', 'latency_max_seconds'];

/**
 * A figure in Prometheus' base units: WeChat reports milliseconds, Prometheus wants seconds. The
 * average is undefined (the sample absent) without callbacks. Live gauges and backfilled history
 * both use this, so that they always agree.
 */
export function figureValue(f: SummaryFigures, figure: Figure): number | undefined {
  switch (figure) {
    case 'callbacks':
      return f.callbackCount;
    case 'failures':
      return f.failCount;
    case 'time_cost_seconds':
      return f.totalTimeCost / 1000;
    case 'latency_average_seconds':
      return f.callbackCount > 0 ? f.totalTimeCost / f.callbackCount / 1000 : undefined;
    case 'latency_max_seconds':
      return f.maxTimeCost / 1000;
  }
}
