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

type Sample = readonly [value: number | undefined, timestamp: number];

/**
 * One family: `# TYPE`, `# HELP`, then every sample, series by series (accounts in the given
 * order), each series in ascending time. promtool silently drops a sample older than the one
 * before it in the same series, so that order is what keeps every sample.
 */
function* family(
  name: string,
  help: string,
  accounts: readonly HistoryInput[],
  samplesOf: (days: readonly HistoryDay[]) => Iterable<Sample>,
): Generator<string> {
  let header = false;
  for (const a of accounts) {
    const labels = `{appid="${escapeLabel(a.appid)}",account="${escapeLabel(a.name)}"}`;
    for (const [value, ts] of samplesOf(a.days)) {
      if (value === undefined) continue;
      if (!header) {
        yield `# TYPE ${name} gauge`;
        yield `# HELP ${name} ${help}`;
        header = true;
      }
      yield `${name}${labels} ${String(value)} ${ts}`;
    }
  }
}

/** Every line of the file, `# EOF` last (pure; families without any sample are left out). */
export function* historyLines(accounts: readonly HistoryInput[]): Generator<string> {
  for (const figure of FIGURES) {
    yield* family(
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
    yield* family(
      `${HISTORY_PREFIX}_daily_${figure}`,
      `Backfilled history: ${FIGURE_HELP[figure]} of the Beijing day that ends at the sample's timestamp (daily API).`,
      accounts,
      function* (days) {
        for (const day of days) yield [figureValue(day.daily, figure), dayEndSeconds(day.refDate)];
      },
    );
  }
  yield '# EOF';
}

/** The whole OpenMetrics document, newline-terminated. */
export function renderHistory(accounts: readonly HistoryInput[]): string {
  let out = '';
  for (const line of historyLines(accounts)) out += `${line}\n`;
  return out;
}
