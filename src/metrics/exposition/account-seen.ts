import type { AccountState } from '../../poll/account-state.js';

/** What of a state the gauges show, as it was when rendered. */
export interface Seen {
  readonly name: string;
  readonly appid: string;
  readonly labels: AccountState['labels'];
  readonly reference: AccountState['reference'];
  readonly up: boolean | undefined;
  readonly lastError: AccountState['lastError'];
  readonly lastSuccessAt: number | undefined;
  readonly pending: number;
}

/** An account as last prepared. */
export interface Entry {
  readonly state: AccountState;
  readonly seen: Seen;
}

/** A poll replaces `reference` and `lastError`, a relabel `labels`, rather than mutate them, so identity tells a change. */
export function signature(a: AccountState): Seen {
  return {
    name: a.name,
    appid: a.appid,
    labels: a.labels,
    reference: a.reference,
    up: a.up,
    lastError: a.lastError,
    lastSuccessAt: a.lastSuccessAt,
    pending: a.pendingDays.length,
  };
}

/** True when the entry was made from this very state object, and what the gauges show of it is the same. */
export function unchanged(e: Entry | undefined, a: AccountState): boolean {
  if (e === undefined || e.state !== a) return false;
  const s = e.seen;
  return (
    s.reference === a.reference &&
    s.up === a.up &&
    s.lastError === a.lastError &&
    s.lastSuccessAt === a.lastSuccessAt &&
    s.pending === a.pendingDays.length &&
    s.name === a.name &&
    s.labels === a.labels &&
    s.appid === a.appid
  );
}
