import type { Logger } from 'winston';
import type { Clock } from '../clock.js';
import { daySpans, eachDay, type BeijingDate } from '../dates.js';
import { errorMessage } from '../errors.js';
import { pollAccount } from '../poll/account-poller.js';
import type { Store } from '../store/store.js';
import type { AccountApi } from '../wechat/account-api.js';
import { MAX_SPAN_DAYS } from '../wechat/date-rules.js';
import type { NamedAccount } from './request.js';

/** Days per progress step: one daily-API call's worth, so chunking costs no extra call. */
export const CHUNK_DAYS = MAX_SPAN_DAYS.getinterfacesummary;

export interface FetchInput {
  readonly account: NamedAccount;
  readonly api: AccountApi;
  readonly store: Store;
  readonly clock: Clock;
  readonly log: Logger;
  readonly from: BeijingDate;
  readonly to: BeijingDate;
  /** Receives one human-readable line per chunk. */
  readonly progress: (line: string) => void;
  /** Masks secrets in error messages (they should hold none; this is the safety net). */
  readonly redact: (text: string) => string;
}

export interface FetchOutcome {
  readonly calls: number;
  readonly saved: number;
  /** Days WeChat has not published yet (an empty answer before the "no traffic" deadline). */
  readonly notReady: readonly BeijingDate[];
  /** Why fetching stopped early, redacted; the days after it were not asked for. */
  readonly error?: string;
}

/**
 * Fetches the days of `from`..`to` the store lacks, with the daemon's own poll (≤ 30 days per
 * daily call, the hourly API once per day, quota and retries handled there), one 30-day chunk at
 * a time so that a long range shows progress. The first error ends the account's run: the
 * poll has already retried what a retry can fix, and a spent quota or a configuration error
 * would fail every later chunk too. Stored days are kept; a new run fetches only the rest.
 */
export async function fetchMissing(input: FetchInput): Promise<FetchOutcome> {
  const { account, api, store, clock, log, progress } = input;
  const who = `${account.name} (${account.appid})`;
  let calls = 0;
  let saved = 0;
  const notReady: BeijingDate[] = [];
  for (const window of daySpans(input.from, input.to, CHUNK_DAYS)) {
    const days = eachDay(window.from, window.to).length;
    const alreadyStored = store.storedDays(account.appid, window.from, window.to).size;
    const span = `${window.from}..${window.to}`;
    if (alreadyStored === days) {
      progress(`${who}: ${span}: all ${days} days already stored`);
      continue;
    }
    const result = await pollAccount({ api, store, clock, window, log });
    calls += result.calls;
    saved += result.saved.length;
    const parts = [`${result.saved.length} days fetched`];
    if (alreadyStored > 0) parts.push(`${alreadyStored} already stored`);
    if (result.error === undefined) {
      notReady.push(...result.pending);
      if (result.pending.length > 0) parts.push(`${result.pending.length} not published by WeChat yet`);
      progress(`${who}: ${span}: ${parts.join(', ')} (${result.calls} API calls)`);
      continue;
    }
    const error = input.redact(errorMessage(result.error));
    progress(`${who}: ${span}: ${parts.join(', ')}; stopped: ${error}`);
    return { calls, saved, notReady, error };
  }
  return { calls, saved, notReady };
}
