/**
 * The history's series (pure): the names, labels and timestamps that the backfill file and
 * remote write both carry, from the stored days. A sample describes the period that ends at its
 * timestamp: the hour 13:00-14:00 Beijing is stamped 14:00, a day 00:00 Beijing after it.
 */
import { addDays, startOfBeijingDay, type BeijingDate } from '../dates.js';
import { FIGURES, FIGURE_HELP, figureValue, type SummaryFigures } from '../figures.js';
import type { HistoryDay } from './history.js';

export const HISTORY_PREFIX = 'wechat_interface_history';

/** One account's stored days, as `historyOf` gives them. */
export interface HistoryInput {
  readonly name: string;
  readonly appid: string;
  readonly days: readonly HistoryDay[];
}

/** Unix seconds of the end of Beijing hour `hour` of `date`: 13:00–14:00 → 14:00. */
export function hourEndSeconds(date: BeijingDate, hour: number): number {
  return startOfBeijingDay(date) / 1000 + (hour + 1) * 3600;
}

/** Unix seconds of the end of the Beijing day `date`: 00:00 Beijing of the next day. */
export function dayEndSeconds(date: BeijingDate): number {
  return startOfBeijingDay(addDays(date, 1)) / 1000;
}

/** One history series of one account: its samples in ascending time, Unix seconds. */
export interface HistorySeries {
  readonly name: string;
  readonly help: string;
  readonly appid: string;
  readonly account: string;
  readonly samples: readonly (readonly [value: number, timestampSeconds: number])[];
}

type Sample = readonly [value: number | undefined, timestamp: number];

function* familySeries(
  name: string,
  help: string,
  accounts: readonly HistoryInput[],
  samplesOf: (days: readonly HistoryDay[]) => Iterable<Sample>,
): Generator<HistorySeries> {
  for (const a of accounts) {
    const samples: [number, number][] = [];
    for (const [value, ts] of samplesOf(a.days)) if (value !== undefined) samples.push([value, ts]);
    if (samples.length > 0) yield { name, help, appid: a.appid, account: a.name, samples };
  }
}

/**
 * Every history series with at least one sample (pure): family after family, accounts in the
 * given order, each series in ascending time. The one source of the history's names, labels and
 * timestamps, for the OpenMetrics file and for remote write alike.
 */
export function* historySeries(accounts: readonly HistoryInput[]): Generator<HistorySeries> {
  for (const figure of FIGURES) {
    yield* familySeries(
      `${HISTORY_PREFIX}_hourly_${figure}`,
      `Backfilled history: ${FIGURE_HELP[figure]} of the Beijing hour that ends at the sample's timestamp.`,
      accounts,
      function* (days) {
        for (const day of days) {
          for (let h = 0; h < 24; h++) yield [figureValue(day.hours[h] as SummaryFigures, figure), hourEndSeconds(day.refDate, h)];
        }
      },
    );
  }
  for (const figure of FIGURES) {
    yield* familySeries(
      `${HISTORY_PREFIX}_daily_${figure}`,
      `Backfilled history: ${FIGURE_HELP[figure]} of the Beijing day that ends at the sample's timestamp (daily API).`,
      accounts,
      function* (days) {
        for (const day of days) yield [figureValue(day.daily, figure), dayEndSeconds(day.refDate)];
      },
    );
  }
}
