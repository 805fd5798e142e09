/**
 * The outbox's rules (pure): what a push's outcome does to a day's entry. A day is pushed at least
 * once: receivers that are down, overloaded (5xx) or rate-limiting (429) get it again later, with
 * a backoff that doubles up to a bound; a 4xx other than 429 means the receiver refuses this data
 * for good (e.g. Prometheus' "out of bounds" without an out-of-order window), so the day is marked
 * failed with the receiver's message rather than retried forever. An acknowledged day is final.
 * https://prometheus.io/docs/specs/remote_write_spec/#retries-backoff
 */

export type OutboxState = 'pending' | 'acked' | 'failed';

/** How a push ended: HTTP status, or `network` when no answer came (refused, reset, timeout). */
export type PushStatus = number | 'network';

export interface PushOutcome {
  readonly status: PushStatus;
  /** The receiver's message (trimmed, redacted), or the network error. */
  readonly message: string;
}

export interface OutboxEntry {
  readonly url: string;
  readonly appid: string;
  readonly refDate: string;
  readonly state: OutboxState;
  readonly attempts: number;
  /** Unix ms; a pending entry is not pushed before. */
  readonly nextAttemptAt: number;
  readonly lastStatus?: string | undefined;
  readonly lastError?: string | undefined;
  /** Samples the receiver accepted (acked entries). */
  readonly samples?: number | undefined;
}

export interface BackoffPolicy {
  /** The first retry's wait. */
  readonly minBackoffMs: number;
  /** The bound: the wait doubles per failed attempt up to this. */
  readonly maxBackoffMs: number;
}

/** A daily push has no hurry: start at a second, never wait more than five minutes. */
export const DEFAULT_BACKOFF: BackoffPolicy = { minBackoffMs: 1_000, maxBackoffMs: 300_000 };

export type Verdict = 'accepted' | 'retry' | 'rejected';

/**
 * 2xx accepted; 5xx, 429 and no answer retried; any other status refused for good. One 5xx is
 * refused too: Prometheus before 2.50 answers 500 "too old sample" for a sample older than its
 * out-of-order window, which no retry can fix (2.50 made it a 400: prometheus/prometheus b2185d96).
 */
export function verdictOf(status: PushStatus, message = ''): Verdict {
  if (status === 'network') return 'retry';
  if (status >= 200 && status < 300) return 'accepted';
  if (status === 500 && message.includes('too old sample')) return 'rejected';
  if (status >= 500 || status === 429) return 'retry';
  return 'rejected';
}

/** The wait after the `attempts`-th failed attempt (1-based): min · 2^(attempts-1), bounded. */
export function backoffMs(attempts: number, policy: BackoffPolicy): number {
  const exp = Math.min(Math.max(attempts - 1, 0), 30);
  return Math.min(policy.maxBackoffMs, policy.minBackoffMs * 2 ** exp);
}

/** The entry after a push of `samples` samples ended with `outcome` at `now`. */
export function afterPush(entry: OutboxEntry, outcome: PushOutcome, samples: number, now: number, policy: BackoffPolicy): OutboxEntry {
  if (entry.state !== 'pending') return entry;
  const attempts = entry.attempts + 1;
  const lastStatus = String(outcome.status);
  switch (verdictOf(outcome.status, outcome.message)) {
    case 'accepted':
      return { ...entry, state: 'acked', attempts, nextAttemptAt: 0, lastStatus, lastError: undefined, samples };
    case 'retry':
      return { ...entry, attempts, nextAttemptAt: now + backoffMs(attempts, policy), lastStatus, lastError: outcome.message };
    case 'rejected':
      return { ...entry, state: 'failed', attempts, nextAttemptAt: 0, lastStatus, lastError: outcome.message };
  }
}

/** The entry after the day could not even be built (not in the store, account gone): failed. */
export function unpushable(entry: OutboxEntry, message: string): OutboxEntry {
  return { ...entry, state: 'failed', lastStatus: 'unpushable', lastError: message };
}
