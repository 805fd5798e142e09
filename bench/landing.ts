import { performance } from 'node:perf_hooks';
import { renderLanding } from '../src/http/landing.js';
import type { StatusQuery } from '../src/http/status/query.js';
import type { AccountState } from '../src/poll/account-state.js';

/** The polled states repeated under new names up to 1,000 accounts: the page's figures are real, only the count is made up. */
function thousand(polled: readonly AccountState[]): AccountState[] {
  return Array.from({ length: 1000 }, (_, i) => {
    const a = polled[i % polled.length] as AccountState;
    return { ...a, name: `page-${String(i).padStart(4, '0')}`, appid: `wx${i.toString(16).padStart(16, '0')}` };
  });
}

/** Prints the median time to render the landing page for 1,000 accounts, for the default view and the costlier ones. */
export function landingAtThousand(polled: readonly AccountState[]): void {
  if (polled.length === 0) return;
  const accounts = thousand(polled);
  const info = { version: 'bench', telemetryPath: '/metrics', accounts, ready: true, demo: false, now: Date.now() };
  const views: [string, StatusQuery][] = [
    ['by name, page 1', { sort: 'name', q: '', page: 1 }],
    ['worst failures, page 20', { sort: 'failures', q: '', page: 20 }],
    ['by state, filtered', { sort: 'state', q: 'page-09', page: 1 }],
  ];
  for (const [label, query] of views) {
    const times: number[] = [];
    let bytes = 0;
    for (let i = 0; i < 21; i++) {
      const t = performance.now();
      bytes = renderLanding(info, query).length;
      times.push(performance.now() - t);
    }
    times.sort((a, b) => a - b);
    console.log(`landing page, 1,000 accounts, ${label}: median ${(times[10] ?? 0).toFixed(1)} ms, ${(bytes / 1024).toFixed(0)} KiB`);
  }
}
