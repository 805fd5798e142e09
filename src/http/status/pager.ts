import { escapeHtml } from './format.js';
import { statusHref, type StatusQuery } from './query.js';

/** Page numbers worth a link: the first, the last, and two either side of the current one. */
function pageNumbers(page: number, pages: number): number[] {
  const shown = new Set([1, pages]);
  for (let p = page - 2; p <= page + 2; p++) if (p >= 1 && p <= pages) shown.add(p);
  return [...shown].sort((a, b) => a - b);
}

/** Previous / numbered / next links, each a plain URL keeping the sort and the filter. */
export function pager(query: StatusQuery, page: number, pages: number): string {
  const link = (p: number, text: string, rel?: string): string =>
    `<a href="${escapeHtml(statusHref({ ...query, page: p }))}"${rel ? ` rel="${rel}"` : ''}>${text}</a>`;
  const parts: string[] = [page > 1 ? link(page - 1, '← Previous', 'prev') : '<span>← Previous</span>'];
  let last = 0;
  for (const p of pageNumbers(page, pages)) {
    if (p > last + 1) parts.push('<span>…</span>');
    parts.push(p === page ? `<strong aria-current="page">${p}</strong>` : link(p, String(p)));
    last = p;
  }
  parts.push(page < pages ? link(page + 1, 'Next →', 'next') : '<span>Next →</span>');
  return `<nav class="pages" aria-label="Pages">Page ${page} of ${pages}: ${parts.join(' ')}</nav>`;
}
