import type { SourceStatus } from '../discovery/discovery.js';
import { escapeHtml } from './status/format.js';

export interface OperationsInfo {
  readonly reloadSuccessful: boolean;
  readonly sources: readonly SourceStatus[];
}

/** The landing page's reload and discovery section: which source fails and keeps its last good list. */
export function renderOperations(info: OperationsInfo, time: (ms: number | undefined) => string): string {
  const reload = info.reloadSuccessful
    ? '<p>Last configuration reload: <span class="up">successful</span>.</p>'
    : '<p>Last configuration reload: <span class="down">failed</span> — still running on the previous configuration (the log lists every problem).</p>';
  if (!info.sources.length) return reload;
  const rows = info.sources
    .map((s) => {
      const state = s.error === undefined ? '<span class="up">ok</span>' : '<span class="down">failing</span> (last good list kept)';
      const problems = [...(s.error === undefined ? [] : [s.error]), ...s.rejected].map(escapeHtml).join('<br>');
      return `<tr><td><code>${escapeHtml(s.source)}</code></td><td>${s.accounts.length}</td><td>${state}</td><td>${time(s.lastSuccessAt)}</td><td class="err">${problems}</td></tr>`;
    })
    .join('\n');
  return `${reload}
<h2>Discovery</h2>
<table><thead><tr><th>Source</th><th>Accounts</th><th>State</th><th>Last good read</th><th>Problems</th></tr></thead>
<tbody>
${rows}
</tbody></table>`;
}
