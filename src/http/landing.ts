import { BEIJING_OFFSET_MS } from '../dates.js';
import type { AccountState } from '../poll/account-state.js';
import { renderRemoteWrite } from '../remote-write/landing.js';
import type { RemoteWriteStatus } from '../remote-write/remote-writer.js';

export interface LandingInfo {
  readonly version: string;
  readonly telemetryPath: string;
  readonly accounts: readonly AccountState[];
  readonly ready: boolean;
  readonly demo: boolean;
  readonly now: number;
  /** `--shard`, and how many accounts the config has in all shards. */
  readonly shard?: { readonly index: number; readonly count: number; readonly configured: number };
  /** The next scheduled (cron) run. */
  readonly nextRunAt?: number | undefined;
  /** One entry per `remoteWrite` target. */
  readonly remoteWrite?: readonly RemoteWriteStatus[] | undefined;
}

/**
 * The page's only style sheet. The Content-Security-Policy allows exactly this text by its hash
 * (src/http/security-headers.ts): change it freely, the hash follows.
 */
export const LANDING_STYLE = `body{font-family:system-ui,sans-serif;margin:2em;color:#222}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.3em .6em;text-align:left;vertical-align:top}
.up{color:#080}.down{color:#c00;font-weight:bold}.pending{color:#888}.err{color:#a00;max-width:40em}code{font-size:.95em}`;

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** Beijing wall-clock time, the zone WeChat's dates and the schedule live in. */
function time(ms: number | undefined): string {
  if (ms === undefined) return '—';
  return `${new Date(ms + BEIJING_OFFSET_MS).toISOString().slice(0, 19).replace('T', ' ')}+08:00`;
}

function stateOf(a: AccountState): string {
  if (a.up === undefined) return '<span class="pending">polling…</span>';
  return a.up ? '<span class="up">up</span>' : '<span class="down">down</span>';
}

function shardLine(info: LandingInfo): string {
  const s = info.shard;
  if (!s || s.count === 1) return '';
  return `Shard ${s.index} of ${s.count} (<code>--shard=${s.index}/${s.count}</code>): ${info.accounts.length} of the ${s.configured} configured accounts.\n`;
}

/**
 * The landing page, in the manner of node_exporter's: what runs, each account's state and the
 * links. Every value is HTML-escaped; error messages were redacted when recorded.
 */
export function renderLanding(info: LandingInfo): string {
  const rows = info.accounts
    .map((a) => {
      const err =
        a.lastError && !a.up
          ? `${escapeHtml(a.lastError.reason)}${a.lastError.errcode === undefined ? '' : ` (${a.lastError.errcode})`}: ${escapeHtml(a.lastError.message)}`
          : '';
      return `<tr><td>${escapeHtml(a.name)}</td><td><code>${escapeHtml(a.appid)}</code></td><td>${escapeHtml(a.tokenSource)}</td><td>${stateOf(a)}</td>
<td>${escapeHtml(a.reference?.refDate ?? '—')}</td><td>${a.pendingDays.length}</td><td>${time(a.lastSuccessAt)}</td><td>${time(a.nextPollAt ?? info.nextRunAt)}</td><td class="err">${err}</td></tr>`;
    })
    .join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>WeChat Interface Exporter</title>
<style>${LANDING_STYLE}</style></head>
<body><h1>WeChat Interface Exporter</h1>
<p>Version ${escapeHtml(info.version)}${info.demo ? ' — <strong>demo mode</strong> (built-in WeChat API simulator)' : ''}. ${info.ready ? 'Ready.' : 'Not ready.'}
${shardLine(info)}Dates and times are Beijing time (UTC+8). Now: ${time(info.now)}. Next scheduled run: ${time(info.nextRunAt)}.</p>
<ul><li><a href="${escapeHtml(info.telemetryPath)}">Metrics</a></li><li><a href="/-/healthy">Health</a></li><li><a href="/-/ready">Readiness</a></li>
<li>Stored rows as JSON: <code>/api/v1/summary?account=NAME&amp;from=YYYY-MM-DD&amp;to=YYYY-MM-DD&amp;granularity=day|hour</code></li>
<li><a href="https://developers.weixin.qq.com/doc/offiaccount/Analytics/Analytics_API.html">WeChat analytics API</a></li></ul>
<h2>Accounts</h2>
<table><thead><tr><th>Account</th><th>AppID</th><th>Token</th><th>State</th><th>Reference day</th><th>Pending days</th><th>Last success</th><th>Next poll</th><th>Last error</th></tr></thead>
<tbody>
${rows}
</tbody></table>
${renderRemoteWrite(info.remoteWrite)}</body></html>
`;
}
