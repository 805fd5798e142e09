/**
 * The stored history as OpenMetrics text with timestamps, for
 * `promtool tsdb create-blocks-from openmetrics` (https://prometheus.io/docs/prometheus/latest/storage/#backfilling-from-openmetrics-format).
 *
 * The history has its own names (`wechat_interface_history_{hourly,daily}_*`): the live
 * `wechat_interface_hour_*{hour}` gauges mean "hour H of the reference day" at scrape time, a
 * different thing from "the hour that ended at this timestamp", and mixing both in one series
 * would make every query ambiguous.
 */
import { historySeries, type HistoryInput } from '../store/history-series.js';

function escapeLabel(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
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
