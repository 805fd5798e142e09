import type { AccountState } from '../../poll/account-state.js';
import { figureValue } from '../../figures.js';
import { accountFilter } from './filter.js';
import { PAGE_SIZE, type StatusQuery } from './query.js';

/** One account's line on the status page: the reference day's figures as /metrics exports them. */
export interface StatusRow {
  readonly account: AccountState;
  readonly callbacks?: number | undefined;
  readonly failures?: number | undefined;
  /** failures / callbacks; undefined without callbacks (nothing failed, nothing succeeded). */
  readonly failureRatio?: number | undefined;
  readonly latencyAverageSeconds?: number | undefined;
  readonly latencyMaxSeconds?: number | undefined;
}

export interface StatusPage {
  readonly rows: readonly StatusRow[];
  /** Accounts matching the filter, over every page. */
  readonly matching: number;
  readonly page: number;
  readonly pages: number;
}

export function statusRow(account: AccountState): StatusRow {
  const day = account.reference?.daily;
  if (!day) return { account };
  const callbacks = figureValue(day, 'callbacks');
  const failures = figureValue(day, 'failures');
  return {
    account,
    callbacks,
    failures,
    failureRatio: callbacks ? (failures ?? 0) / callbacks : undefined,
    latencyAverageSeconds: figureValue(day, 'latency_average_seconds'),
    latencyMaxSeconds: figureValue(day, 'latency_max_seconds'),
  };
}

/** Down first (the ones to act on), then still polling, then up. */
function stateRank(a: AccountState): number {
  return a.up === false ? 0 : a.up === undefined ? 1 : 2;
}

const byName = (a: StatusRow, b: StatusRow): number => a.account.name.localeCompare(b.account.name);

const ORDER: Readonly<Record<StatusQuery['sort'], (a: StatusRow, b: StatusRow) => number>> = {
  name: byName,
  // Worst failure ratio first; accounts without callbacks (no ratio) last.
  failures: (a, b) => (b.failureRatio ?? -1) - (a.failureRatio ?? -1) || byName(a, b),
  state: (a, b) => stateRank(a.account) - stateRank(b.account) || byName(a, b),
};

/** Filter, sort and cut one page; a page past the end shows the last one. */
export function statusPage(accounts: readonly AccountState[], query: StatusQuery): StatusPage {
  const matching = accounts.filter(accountFilter(query.q)).map(statusRow).sort(ORDER[query.sort]);
  const pages = Math.max(1, Math.ceil(matching.length / PAGE_SIZE));
  const page = Math.min(query.page, pages);
  return { rows: matching.slice((page - 1) * PAGE_SIZE, page * PAGE_SIZE), matching: matching.length, page, pages };
}
