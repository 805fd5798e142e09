/**
 * The stored history as OpenMetrics text with timestamps, for
 * `promtool tsdb create-blocks-from openmetrics` (https://prometheus.io/docs/prometheus/latest/storage/#backfilling-from-openmetrics-format).
 *
 * The history has its own names (`wechat_interface_history_{hourly,daily}_*`): the live
 * `wechat_interface_hour_*{hour}` gauges mean "hour H of the reference day" at scrape time, a
 * different thing from "the hour that ended at this timestamp", and mixing both in one series
 * would make every query ambiguous.
 */
import { addDays, startOfBeijingDay, type BeijingDate } from '../dates.js';
import { FIGURES, FIGURE_HELP, figureValue, type SummaryFigures } from '../figures.js';
import type { HistoryDay } from '../store/history.js';

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

function escapeLabel(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
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

/**
 * Every line of the file, `# EOF` last (pure; families without any sample are left out). Each
 * family's series come one after another, each in ascending time: promtool silently drops a
 * sample older than the one before it in the same series, so that order is what keeps every sample.
 */
export function* historyLines(accounts: readonly HistoryInput[]): Generator<string> {
  let family: string | undefined;
  for (const s of historySeries(accounts)) {
    if (s.name !== family) {
      yield `# TYPE ${s.name} gauge`;
      yield `# HELP ${s.name} ${s.help}`;
      family = s.name;
    }
    const labels = `{appid="${escapeLabel(s.appid)}",account="${escapeLabel(s.account)}"}`;
    for (const [value, ts] of s.samples) yield `${s.name}${labels} ${String(value)} ${ts}`;
  }
  yield '# EOF';
}

/** The whole OpenMetrics document, newline-terminated. */
export function renderHistory(accounts: readonly HistoryInput[]): string {
  let out = '';
  for (const line of historyLines(accounts)) out += `${line}\n`;
  return out;
}
