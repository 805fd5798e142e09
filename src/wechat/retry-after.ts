import { HttpStatusError } from '../errors.js';

/**
 * `Retry-After` as milliseconds from `now`: delta-seconds or an HTTP date (RFC 9110 §10.2.3).
 * Undefined when absent or unreadable, never negative.
 */
export function parseRetryAfter(value: string | string[] | undefined, now: number): number | undefined {
  const text = (Array.isArray(value) ? value[0] : value)?.trim();
  if (!text) return undefined;
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  // An HTTP date names its weekday and month; anything else (`-5`, `soon`) is unreadable.
  if (!/[A-Za-z]/.test(text)) return undefined;
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/** The longest `Retry-After` the exporter defers an account for: a server asking for more is capped. */
export const MAX_ACCOUNT_RETRY_AFTER_MS = 6 * 3_600_000;

/** How long an account's next try must wait for the server's `Retry-After`, capped; 0 when none was asked. */
export function accountRetryAfter(err: unknown): number {
  if (!(err instanceof HttpStatusError) || err.retryAfterMs === undefined) return 0;
  return Math.min(err.retryAfterMs, MAX_ACCOUNT_RETRY_AFTER_MS);
}
