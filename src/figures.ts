/**
 * The domain vocabulary: the four figures WeChat reports for a day or an hour, the rows that carry
 * them, and the five figures the exporter derives from them (as metric name suffixes). The store,
 * the metrics, the history and the JSON API all speak these words, so they live here, below every
 * layer, and not in the WeChat client.
 */
import type { BeijingDate } from './dates.js';

/** The four figures WeChat reports for a day or an hour. Times are milliseconds, as WeChat sends them. */
export interface SummaryFigures {
  readonly callbackCount: number;
  readonly failCount: number;
  readonly totalTimeCost: number;
  readonly maxTimeCost: number;
}

/** The figures of an hour or a day without traffic (WeChat lists neither: README "Metrics" exposes them as 0). */
export const NO_TRAFFIC: SummaryFigures = Object.freeze({ callbackCount: 0, failCount: 0, totalTimeCost: 0, maxTimeCost: 0 });

/** A row of `getinterfacesummary`. */
export interface DailyRow extends SummaryFigures {
  readonly refDate: BeijingDate;
}

/** A row of `getinterfacesummaryhour`, `refHour` normalised to 0..23. */
export interface HourlyRow extends DailyRow {
  readonly refHour: number;
}

/** Just the four figures of a row (drops `refDate` and `refHour`). */
export function figuresOnly(row: SummaryFigures): SummaryFigures {
  return { callbackCount: row.callbackCount, failCount: row.failCount, totalTimeCost: row.totalTimeCost, maxTimeCost: row.maxTimeCost };
}

/** The five figures exported per day and per hour, as metric name suffixes. */
export type Figure = 'callbacks' | 'failures' | 'time_cost_seconds' | 'latency_average_seconds' | 'latency_max_seconds';

export const FIGURES: readonly Figure[] = ['callbacks', 'failures', 'time_cost_seconds', 'latency_average_seconds', 'latency_max_seconds'];

/** What each figure means, for HELP lines (live gauges and history alike). */
export const FIGURE_HELP: Readonly<Record<Figure, string>> = {
  callbacks: 'callback_count: passive replies to user messages delivered to the account server',
  failures: 'fail_count: callbacks that failed',
  time_cost_seconds: 'total_time_cost in seconds',
  latency_average_seconds: 'average reply latency in seconds (total_time_cost / callback_count); absent without callbacks',
  latency_max_seconds: 'max_time_cost in seconds',
};

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
