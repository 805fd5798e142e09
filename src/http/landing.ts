import type { AccountState } from '../poll/account-state.js';
import { renderRemoteWrite } from '../remote-write/landing.js';
import type { RemoteWriteStatus } from '../remote-write/remote-writer.js';
import { hourChart } from './status/chart.js';
import { beijingTime as time, count, escapeHtml, percent, seconds } from './status/format.js';
import { pager } from './status/pager.js';
import { DEFAULT_STATUS_QUERY, STATUS_SORTS, statusHref, type StatusQuery } from './status/query.js';
import { statusPage, type StatusRow } from './status/rows.js';
import { storeLine } from './status/store-line.js';
import type { StoreReport } from '../store/retention-runner.js';
import { renderOperations, type OperationsInfo } from './landing-operations.js';

export interface LandingInfo {
  readonly version: string;
  readonly telemetryPath: string;
  readonly accounts: readonly AccountState[];
  readonly ready: boolean;
  readonly demo: boolean;
  readonly now: number;
  /** `--shard`, and how many accounts the config has in all shards. */
  readonly shard?: { readonly index: number; readonly count: number; readonly configured: number };
  /** Reload and discovery state. */
  readonly operations?: OperationsInfo | undefined;
  /** The next scheduled (cron) run. */
  readonly nextRunAt?: number | undefined;
  /** One entry per `remoteWrite` target. */
  readonly remoteWrite?: readonly RemoteWriteStatus[] | undefined;
  /** The store's size, oldest day, free space and retention. */
  readonly store?: StoreReport | undefined;
}

/**
 * The page's only style sheet. The Content-Security-Policy allows exactly this text by its hash
 * (src/http/security-headers.ts): change it freely, the hash follows. No `style` attribute
 * anywhere: the SVG charts take their colours from these classes.
 */
export const LANDING_STYLE = `body{font-family:system-ui,sans-serif;font-size:14px;margin:1.5em;color:#222}table{border-collapse:collapse}
td,th{border:1px solid #ccc;padding:.25em .5em;text-align:left;vertical-align:top}td{white-space:nowrap}td.n{text-align:right}
.up{color:#080}.down{color:#c00;font-weight:bold}.pending{color:#888}td.err{color:#a00;white-space:normal;min-width:24em}code{font-size:.95em}
.chart{display:block}.chart .cb{fill:#4a7fc1}.chart .fail{fill:#d33}form,nav{margin:1em 0}nav a,nav strong,nav span{margin-right:.4em}`;

function stateOf(a: AccountState): string {
  if (a.up === undefined) return '<span class="pending">polling…</span>';
  return a.up ? '<span class="up">up</span>' : '<span class="down">down</span>';
}

function shardLine(info: LandingInfo): string {
  const s = info.shard;
  if (!s || s.count === 1) return '';
  return `Shard ${s.index} of ${s.count} (<code>--shard=${s.index}/${s.count}</code>): ${info.accounts.length} of the ${s.configured} configured accounts.\n`;
}

function errorOf(a: AccountState): string {
  const e = a.lastError;
  if (!e || a.up !== false) return '';
  return `${escapeHtml(e.reason)}${e.errcode === undefined ? '' : ` (${e.errcode})`}: ${escapeHtml(e.message)}`;
}

/** The account's `labels:` as `name=value`, each a link that filters the page by it. */
function labelsOf(a: AccountState): string {
  return Object.entries(a.labels)
    .map(([name, value]) => {
      const pair = `${name}=${value}`;
      // A value with a space would be two words of the filter: only the others get a link.
      const code = `<code>${escapeHtml(pair)}</code>`;
      return /\s/.test(value) ? code : `<a href="${escapeHtml(statusHref({ ...DEFAULT_STATUS_QUERY, q: pair }))}">${code}</a>`;
    })
    .join(' ');
}

function row(r: StatusRow, nextRunAt: number | undefined): string {
  const a = r.account;
  return `<tr data-account="${escapeHtml(a.name)}"><td>${escapeHtml(a.name)}</td><td><code>${escapeHtml(a.appid)}</code></td><td>${escapeHtml(a.tokenSource)}</td><td>${stateOf(a)}</td>
<td>${escapeHtml(a.reference?.refDate ?? '—')}</td><td class="n">${count(r.callbacks)}</td><td class="n">${count(r.failures)}</td><td class="n">${percent(r.failureRatio)}</td><td class="n">${seconds(r.latencyAverageSeconds)}</td><td class="n">${seconds(r.latencyMaxSeconds)}</td><td>${hourChart(a.reference)}</td>
<td>${a.pendingDays.length}</td><td>${time(a.lastSuccessAt)}</td><td>${time(a.nextPollAt ?? nextRunAt)}</td><td class="err">${errorOf(a)}</td><td>${labelsOf(a)}</td></tr>`;
}

/** The filter form: a plain GET to `/`, so it works with scripts off. */
function filterForm(query: StatusQuery): string {
  const labels: Record<string, string> = { name: 'name', failures: 'worst failure ratio', state: 'state (down first)' };
  const options = STATUS_SORTS.map((s) => `<option value="${s}"${s === query.sort ? ' selected' : ''}>${labels[s]}</option>`).join('');
  return `<form method="get" action="/"><label>Account name, appid or label (<code>team=payments</code>) <input type="search" name="q" value="${escapeHtml(query.q)}"></label>
<label>Sort by <select name="sort">${options}</select></label> <button type="submit">Show</button></form>`;
}

function summary(accounts: readonly AccountState[]): string {
  const up = accounts.filter((a) => a.up === true).length;
  const down = accounts.filter((a) => a.up === false).length;
  return `${accounts.length} accounts: <span class="up">${up} up</span>, <span class="down">${down} down</span>, ${accounts.length - up - down} polling.`;
}

/**
 * The landing page as an operator's status page, in the manner of node_exporter's: what runs,
 * and per account its state and the reference day's figures, filtered, sorted and paged on the
 * server by the query string (no script). Every value is HTML-escaped; error messages were
 * redacted when recorded.
 */
export function renderLanding(info: LandingInfo, query: StatusQuery = DEFAULT_STATUS_QUERY): string {
  const page = statusPage(info.accounts, query);
  const rows = page.rows.map((r) => row(r, info.nextRunAt)).join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>WeChat Interface Exporter</title>
<style>${LANDING_STYLE}</style></head>
<body><h1>WeChat Interface Exporter</h1>
<p>Version ${escapeHtml(info.version)}${info.demo ? ' — <strong>demo mode</strong> (built-in WeChat API simulator)' : ''}. ${info.ready ? 'Ready.' : 'Not ready.'}
${shardLine(info)}Dates and times are Beijing time (UTC+8). Now: ${time(info.now)}. Next scheduled run: ${time(info.nextRunAt)}.</p>
${storeLine(info.store)}<ul><li><a href="${escapeHtml(info.telemetryPath)}">Metrics</a></li><li><a href="/-/healthy">Health</a></li><li><a href="/-/ready">Readiness</a></li>
<li>Stored rows as JSON: <code>/api/v1/summary?account=NAME&amp;from=YYYY-MM-DD&amp;to=YYYY-MM-DD&amp;granularity=day|hour</code></li>
<li><a href="https://developers.weixin.qq.com/doc/offiaccount/Analytics/Analytics_API.html">WeChat analytics API</a></li></ul>
<h2>Accounts</h2>
<p id="summary">${summary(info.accounts)} Figures are each account's reference day (the newest day stored), as on ${escapeHtml(info.telemetryPath)}.</p>
${filterForm(query)}
<p id="matching">${page.matching} matching${query.q ? ` “${escapeHtml(query.q)}”` : ''}.</p>
<table><thead><tr><th>Account</th><th>AppID</th><th>Token</th><th>State</th><th>Reference day</th><th>Callbacks</th><th>Failures</th><th>Failure ratio</th><th>Average latency</th><th>Max latency</th><th>By hour</th><th>Pending days</th><th>Last success</th><th>Next poll</th><th>Last error</th><th>Labels</th></tr></thead>
<tbody>
${rows}
</tbody></table>
${pager(query, page.page, page.pages)}
${renderRemoteWrite(info.remoteWrite)}${info.operations ? renderOperations(info.operations, time) : ''}</body></html>
`;
}
