/**
 * The queries of the dashboard's four "by hour" panels (row "Reference day by hour"), written
 * here once and patched into grafana/wechat-interface-exporter.json by running this file:
 *
 *   node --import tsx scripts/hour-panels.ts && scripts/sync-chart-files.sh
 *
 * Each account-hour comes from the hourly gauge (`wechat_interface_hour_*`) when the exporter
 * exports it, else from the remote-written history (`wechat_interface_history_hourly_*`, see
 * docs/remote-write.md) of the same reference day, so that `metrics.hourly: false` (issue 22)
 * loses no panel. Why the fallback is written the way it is: grafana/README.md ("Hour panels
 * without the hourly gauges"). test/rules/hour-panels.test.ts checks that the dashboard holds
 * exactly these queries, and promtool checks what they answer.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const TARGETS = 'job=~"$job", instance=~"$instance", account=~"$account"';
const HOUR = 3600;

/**
 * How far back the history is searched for the reference day's hours. Its first hour is stamped
 * 01:00 of that day; a reference day older than 58 h already fires WechatInterfaceDataStale, so
 * three days (72 steps per series) cover every day the hour panels should show.
 */
export const HISTORY_WINDOW = '3d';

/** The reference day at the panel's time (`@ end()`: every step of the subquery sees the same day), one per account. */
const referenceDay = `max by (appid, account) (wechat_interface_reference_day_timestamp_seconds{${TARGETS}} @ end())`;

/**
 * The history's sample of Beijing hour `hour` of each account's reference day, labelled like the
 * gauge: the hour HH:00–HH+1:00 is stamped HH+1:00, so it is the one sample, among the last three
 * days' hourly steps, whose timestamp is the reference day's midnight plus (HH + 1) hours.
 */
function historyHour(figure: string, hour: number): string {
  const history = `wechat_interface_history_hourly_${figure}{account=~"$account"}`;
  const atHour = `timestamp(${history}) - on (appid, account) group_left () ${referenceDay} == ${(hour + 1) * HOUR}`;
  const hh = String(hour).padStart(2, '0');
  return `label_replace(last_over_time((${history} and on (appid, account) (${atHour}))[${HISTORY_WINDOW}:1h]), "hour", "${hh}", "", "")`;
}

/** One figure per account and hour: the gauge, or for the account-hours it lacks, the history's. */
export function hourFigure(figure: string): string {
  const hours = Array.from({ length: 24 }, (_, h) => historyHour(figure, h));
  return [`wechat_interface_hour_${figure}{${TARGETS}}`, 'or on (appid, account, hour)', `(\n  ${hours.join('\n  or ')}\n)`].join('\n');
}

const sumByHour = (figure: string): string => `sum by (hour) (\n${hourFigure(figure)}\n)`;
const perCallback = (figure: string): string => `${sumByHour(figure)}\n/\n(${sumByHour('callbacks')} > 0)`;

/** The four panels' targets, by panel title and refId. */
export const HOUR_PANEL_QUERIES: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  'Callbacks by hour': { A: sumByHour('callbacks') },
  'Failures by hour': { A: sumByHour('failures') },
  'Failure ratio by hour': { A: perCallback('failures') },
  'Reply latency by hour (average and maximum)': {
    A: perCallback('time_cost_seconds'),
    B: `max by (hour) (\n${hourFigure('latency_max_seconds')}\n)`,
  },
};

interface JsonPanel {
  readonly title?: string;
  readonly targets?: readonly { readonly refId?: string; readonly expr?: string }[];
  readonly panels?: readonly JsonPanel[];
}

/**
 * The dashboard's text with the four panels' `expr` replaced, text for text, so that nothing
 * else in the file moves (other changes to the dashboard merge cleanly).
 */
export function patchDashboard(text: string): string {
  const panels = (JSON.parse(text) as { panels: JsonPanel[] }).panels.flatMap((p) => [p, ...(p.panels ?? [])]);
  let out = text;
  for (const [title, targets] of Object.entries(HOUR_PANEL_QUERIES)) {
    const panel = panels.find((p) => p.title === title);
    if (!panel) throw new Error(`no panel "${title}" in the dashboard`);
    for (const [refId, expr] of Object.entries(targets)) {
      const old = panel.targets?.find((t) => t.refId === refId)?.expr;
      if (old === undefined) throw new Error(`panel "${title}" has no target ${refId}`);
      const field = `"expr": ${JSON.stringify(old)}`;
      if (out.split(field).length !== 2) throw new Error(`panel "${title}" ${refId}: its expr is not unique in the file`);
      out = out.replace(field, () => `"expr": ${JSON.stringify(expr)}`);
    }
  }
  return out;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const path = fileURLToPath(new URL('../grafana/wechat-interface-exporter.json', import.meta.url));
  writeFileSync(path, patchDashboard(readFileSync(path, 'utf8')));
}
