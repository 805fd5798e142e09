/** Bounds and pacing of retries of one WeChat call. */
export interface RetryPolicy {
  /** Attempts in all, the first included (`wechat.retry.maxAttempts`). */
  readonly maxAttempts: number;
  /** No new attempt starts later than this after the first (`wechat.retry.maxElapsed`). */
  readonly maxElapsedMs: number;
  /** First backoff; doubles each attempt. */
  readonly baseDelayMs: number;
  /** Cap of one backoff. */
  readonly maxDelayMs: number;
}

/** The pacing part of the policy; the bounds come from the config, whose schema holds their defaults. */
export const BACKOFF_DELAYS: Pick<RetryPolicy, 'baseDelayMs' | 'maxDelayMs'> = { baseDelayMs: 1_000, maxDelayMs: 15_000 };

/**
 * "Full jitter" exponential backoff: a random wait in [0, min(cap, base·2^(n−1))], which
 * spreads the retries of many accounts instead of having them hit WeChat in lockstep.
 * https://aws.amazon.com/blogs/architecture/exponential-backoff-and-jitter/
 */
export function backoffDelay(policy: RetryPolicy, attempt: number, random: () => number = Math.random): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, attempt - 1));
  return Math.floor(random() * ceiling);
}

/** Resolves after `ms`, or rejects with the signal's reason when it aborts first. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    // The reason is what the caller aborted with (an Error of errors.ts).
    const abort = (): void => reject(signal?.reason instanceof Error ? signal.reason : new Error('aborted'));
    if (signal?.aborted) {
      abort();
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      abort();
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
