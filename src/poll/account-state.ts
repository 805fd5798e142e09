import Database from 'better-sqlite3';
import type { BeijingDate } from '../dates.js';
import {
  errorMessage,
  type DownReason,
  HttpStatusError,
  InvalidResponseError,
  NetworkError,
  QuotaExhaustedError,
  StoreError,
  TokenSourceError,
  WechatApiError,
} from '../errors.js';
import type { HistoryDay } from '../store/history.js';

export interface AccountError {
  readonly reason: DownReason;
  readonly errcode?: number | undefined;
  /** Already redacted. */
  readonly message: string;
  readonly at: number;
}

export function describeError(err: unknown, at: number, redact: (s: string) => string): AccountError {
  const message = redact(errorMessage(err));
  if (err instanceof WechatApiError) {
    return { reason: err.reason, errcode: err.errcode, message, at };
  }
  // No call was made, but the account is still down for WeChat's 45009 of earlier today.
  if (err instanceof QuotaExhaustedError) return { reason: 'quota_exhausted', errcode: 45009, message, at };
  const reason: DownReason =
    err instanceof HttpStatusError
      ? 'http_error'
      : err instanceof NetworkError
        ? 'network_error'
        : err instanceof InvalidResponseError
          ? 'invalid_response'
          : err instanceof TokenSourceError
            ? 'token_source_error'
            : err instanceof StoreError || err instanceof Database.SqliteError
              ? 'store_error'
              : 'internal_error';
  // SQLite's own text ("database or disk is full") does not say it is about the store.
  if (err instanceof Database.SqliteError) return { reason, message: `store ${err.code}: ${message}`, at };
  return { reason, message, at };
}

/**
 * What the exporter knows about one account: everything `/metrics` and the landing page show,
 * held in memory so that a scrape does no I/O. Updated after each poll and each stored day.
 */
export interface AccountState {
  readonly name: string;
  readonly appid: string;
  readonly tokenSource: string;
  /**
   * The account's `labels:` (sorted by name). Replaced, never mutated, when a reload or a discovery
   * refresh changes only them: its identity tells /metrics to render the account again.
   */
  labels: Readonly<Record<string, string>>;
  /** Undefined until the first poll has finished. */
  up?: boolean;
  reference?: HistoryDay | undefined;
  lastSuccessAt?: number | undefined;
  lastPollAt?: number;
  lastError?: AccountError | undefined;
  /** Days of the lookback window still missing after the last poll. */
  pendingDays: BeijingDate[];
  /** When this account is polled next (cron or retry). */
  nextPollAt?: number | undefined;
  /** No poll on retry runs before this (configuration errors wait for the next scheduled run). */
  holdUntil?: number | undefined;
}
