/**
 * The metric names queries may use, and a small PromQL scanner that finds the metric names an
 * expression refers to, so a misspelt name in a rule or a dashboard fails a test.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

export const RULES_PATH = fileURLToPath(new URL('../../prometheus/wechat-interface-exporter.rules.yml', import.meta.url));

/** The metrics of the public contract (docs: "Metrics"), as exposed on /metrics. */
export const CONTRACT_METRICS: readonly string[] = [
  'wechat_interface_hour_callbacks',
  'wechat_interface_hour_failures',
  'wechat_interface_hour_time_cost_seconds',
  'wechat_interface_hour_latency_average_seconds',
  'wechat_interface_hour_latency_max_seconds',
  'wechat_interface_day_callbacks',
  'wechat_interface_day_failures',
  'wechat_interface_day_time_cost_seconds',
  'wechat_interface_day_latency_average_seconds',
  'wechat_interface_day_latency_max_seconds',
  'wechat_interface_reference_day_timestamp_seconds',
  'wechat_exporter_account_up',
  'wechat_exporter_last_success_timestamp_seconds',
  'wechat_exporter_api_requests_total',
  'wechat_exporter_api_errors_total',
  'wechat_exporter_api_request_duration_seconds_bucket',
  'wechat_exporter_api_request_duration_seconds_sum',
  'wechat_exporter_api_request_duration_seconds_count',
  'wechat_exporter_token_refreshes_total',
  'wechat_exporter_build_info',
  // Present only while an account is down: {appid, account, reason, errcode}.
  'wechat_exporter_account_error_info',
  // Second round: WeChat's daily quota of each datacube API {appid, api}.
  'wechat_exporter_api_quota_limit',
  'wechat_exporter_api_quota_used',
  'wechat_exporter_api_quota_remaining',
  // Third round: each account's own labels {appid, account, <labels>}.
  'wechat_exporter_account_info',
  // Third round: the store (README "Retention").
  'wechat_exporter_store_size_bytes',
  'wechat_exporter_store_oldest_day_timestamp_seconds',
  'wechat_exporter_store_pruned_days_total',
  'wechat_exporter_store_filesystem_avail_bytes',
  'wechat_exporter_store_filesystem_size_bytes',
];

/** The backfilled history (docs/backfill.md), imported with promtool rather than scraped. */
export const HISTORY_METRICS: readonly string[] = ['hourly', 'daily'].flatMap((g) =>
  ['callbacks', 'failures', 'time_cost_seconds', 'latency_average_seconds', 'latency_max_seconds'].map(
    (f) => `wechat_interface_history_${g}_${f}`,
  ),
);

/** Series Prometheus itself makes for every target. */
export const PROMETHEUS_METRICS: readonly string[] = ['up', 'scrape_duration_seconds', 'scrape_samples_scraped'];

interface RuleFile {
  readonly groups: readonly { readonly name: string; readonly rules: readonly RuleEntry[] }[];
}

export interface RuleEntry {
  readonly record?: string;
  readonly alert?: string;
  readonly expr: string;
  readonly for?: string;
  readonly labels?: Readonly<Record<string, string>>;
  readonly annotations?: Readonly<Record<string, string>>;
}

export function loadRules(path: string = RULES_PATH): RuleEntry[] {
  const file = parse(readFileSync(path, 'utf8')) as RuleFile;
  return file.groups.flatMap((group) => group.rules);
}

/** The names recording rules define. */
export function recordedNames(rules: readonly RuleEntry[] = loadRules()): string[] {
  return rules.flatMap((rule) => (rule.record === undefined ? [] : [rule.record]));
}

/** Every name a query may refer to: the contract, the history, Prometheus' own series, and the recording rules. */
export function knownMetricNames(): Set<string> {
  return new Set([...CONTRACT_METRICS, ...HISTORY_METRICS, ...PROMETHEUS_METRICS, ...recordedNames()]);
}

const KEYWORDS = new Set([
  'and',
  'or',
  'unless',
  'bool',
  'offset',
  'by',
  'without',
  'on',
  'ignoring',
  'group_left',
  'group_right',
  'inf',
  'nan',
]);

/**
 * The metric names an expression selects. Not a full parser: it drops strings, label matchers,
 * ranges and grouping label lists, then keeps identifiers that are not keywords or function calls.
 */
export function metricNamesIn(expr: string): string[] {
  const stripped = expr
    .replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`/g, '""')
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ');
  const names = new Set<string>();
  // A number (with its unit or exponent, e.g. 1d, 1e3, 0x1f) is one token, so its letters are not names.
  const token = /(\d[\w.]*)|([a-zA-Z_:][\w:]*)(\s*\()?/g;
  for (const match of stripped.matchAll(token)) {
    const [, number, name, call] = match;
    if (number !== undefined || name === undefined || call !== undefined) continue;
    if (KEYWORDS.has(name.toLowerCase())) continue;
    names.add(name);
  }
  return [...names];
}
