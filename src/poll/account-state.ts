import type { BeijingDate } from '../dates.js';
import {
  ExporterError,
  HttpStatusError,
  InvalidResponseError,
  NetworkError,
  QuotaExhaustedError,
  TokenSourceError,
  WechatApiError,
} from '../errors.js';
import type { HistoryDay } from '../store/history.js';

/** Why an account is down: the `reason` label of `wechat_exporter_account_error_info`. */
export type DownReason =
  | 'ip_not_whitelisted'
  | 'invalid_credentials'
  | 'api_unauthorized'
  | 'quota_exhausted'
  | 'wechat_error'
  | 'http_error'
  | 'network_error'
  | 'invalid_response'
  | 'token_source_error'
  | 'internal_error';

const REASON_BY_ERRCODE: ReadonlyMap<number, DownReason> = new Map<number, DownReason>([
  [40164, 'ip_not_whitelisted'],
  [89503, 'ip_not_whitelisted'],
  [40013, 'invalid_credentials'],
  [40125, 'invalid_credentials'],
  [40243, 'invalid_credentials'],
  [48001, 'api_unauthorized'],
  [50001, 'api_unauthorized'],
  [45009, 'quota_exhausted'],
]);

export interface AccountError {
  readonly reason: DownReason;
  readonly errcode?: number | undefined;
  /** Already redacted. */
  readonly message: string;
  readonly at: number;
}

export function describeError(err: unknown, at: number, redact: (s: string) => string): AccountError {
  const message = redact(err instanceof Error ? err.message : String(err));
  if (err instanceof WechatApiError) {
    return { reason: REASON_BY_ERRCODE.get(err.errcode) ?? 'wechat_error', errcode: err.errcode, message, at };
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
            : 'internal_error';
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

export function isAbort(err: unknown): boolean {
  return err instanceof ExporterError && err.code === 'aborted';
}
