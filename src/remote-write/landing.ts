import type { RemoteWriteStatus } from './remote-writer.js';

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** The failed days shown per target; the rest are counted (the log has every one). */
const SHOWN_FAILURES = 10;

/**
 * The landing page's remote-write section: per target, how many days are pending and accepted,
 * and each refused day with the receiver's message (redacted when recorded). Empty without targets.
 */
export function renderRemoteWrite(targets: readonly RemoteWriteStatus[] | undefined): string {
  if (!targets || targets.length === 0) return '';
  const rows = targets
    .map((t) => {
      const failures = t.failed
        .slice(0, SHOWN_FAILURES)
        .map(
          (f) =>
            `<li>${escapeHtml(f.refDate)} <code>${escapeHtml(f.appid)}</code>: HTTP ${escapeHtml(f.lastStatus ?? '?')}: ${escapeHtml(f.lastError ?? '')}</li>`,
        )
        .join('');
      const more = t.failed.length > SHOWN_FAILURES ? `<li>… and ${t.failed.length - SHOWN_FAILURES} more (see the log)</li>` : '';
      const retrying = t.retrying
        ? `retrying ${escapeHtml(t.retrying.refDate)} (${escapeHtml(t.retrying.lastStatus ?? '?')}): ${escapeHtml(t.retrying.lastError ?? '')}`
        : '';
      return `<tr><td><code>${escapeHtml(t.url)}</code></td><td>${t.pending}</td><td>${t.acked}</td><td>${t.failed.length}</td>
<td class="err">${retrying}${failures || more ? `<ul>${failures}${more}</ul>` : ''}</td></tr>`;
    })
    .join('\n');
  return `<h2>Remote write</h2>
<p>Days refused by a receiver are not retried: fix the receiver, then push them again with <code>backfill --from D --to D --remote-write URL</code>.</p>
<table><thead><tr><th>URL</th><th>Pending days</th><th>Accepted days</th><th>Failed days</th><th>Errors</th></tr></thead>
<tbody>
${rows}
</tbody></table>
`;
}
