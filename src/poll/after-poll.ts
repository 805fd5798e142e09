import { CallAbortedError, errorClassOf } from '../errors.js';
import type { AccountError, AccountState } from './account-state.js';
import { describeError } from './account-state.js';
import type { PollResult } from './account-poller.js';
import type { RunTrigger } from './scheduler.js';
import { accountRetryAfter } from '../wechat/retry-after.js';

/** What the rules need to know about a poll that has just ended (pure data). */
export interface AfterPollInput {
  readonly result: PollResult;
  /** When the poll started, and now (epoch ms). */
  readonly startedAt: number;
  readonly now: number;
  /** The next scheduled (cron) run after now, if any. */
  readonly nextCronAt: number | undefined;
  readonly retryIntervalMs: number;
  /** Until when the account's quota is spent (after 45009), if it is. */
  readonly quotaUntil: number | undefined;
  /** Masks secrets in the error message. */
  readonly redact: (text: string) => string;
}

/** The state fields a finished poll sets. */
export type PollOutcome = Pick<AccountState, 'up' | 'lastError' | 'holdUntil' | 'nextPollAt' | 'lastPollAt' | 'pendingDays'>;

export type AfterPoll =
  /** Abandoned at shutdown: nothing changes. */
  | { readonly kind: 'aborted' }
  | {
      readonly kind: 'ok' | 'failed';
      readonly state: PollOutcome;
      /** Whether the account wants the next retry run. */
      readonly retry: boolean;
      /** The failure, for the log (failed only). */
      readonly error?: AccountError;
      /** A failure a retry cannot fix, held until the next scheduled run (failed only). */
      readonly held?: boolean;
    };

/**
 * The rules for an account after a poll (README "How it fetches", Errors):
 * - success: up; retry every `retryInterval` while days are pending, else wait for the cron run;
 * - a failure a retry can fix (network, 5xx, WeChat busy): down, retried after `retryInterval` (or the
 *   server's Retry-After when longer, at most 6 h);
 * - a configuration error or a bug: down, held until the next cron run (the operator may fix it);
 * - quota spent (45009): down, held until 00:00 Beijing or the next cron run, whichever is later.
 */
export function afterPoll(input: AfterPollInput): AfterPoll {
  const { result, startedAt, now, nextCronAt, retryIntervalMs } = input;
  if (result.error instanceof CallAbortedError) return { kind: 'aborted' };
  const common = { lastPollAt: startedAt, pendingDays: result.pending };
  if (result.error === undefined) {
    const retry = result.pending.length > 0;
    return {
      kind: 'ok',
      retry,
      state: { ...common, up: true, lastError: undefined, holdUntil: undefined, nextPollAt: retry ? now + retryIntervalMs : nextCronAt },
    };
  }
  const error = describeError(result.error, now, input.redact);
  const errorClass = errorClassOf(result.error);
  const held = errorClass === 'configuration' || errorClass === 'bug' || errorClass === 'quota';
  const holdUntil = held ? Math.max(nextCronAt ?? 0, input.quotaUntil ?? 0) : undefined;
  return {
    kind: 'failed',
    retry: !held,
    error,
    held,
    // Never sooner than the server's Retry-After (429/503), capped so that a silly value cannot park the account.
    state: {
      ...common,
      up: false,
      lastError: error,
      holdUntil,
      nextPollAt: held ? holdUntil : now + Math.max(retryIntervalMs, accountRetryAfter(result.error)),
    },
  };
}

/** A retry run skips an account held until later (configuration errors wait for the cron run). */
export function isHeld(state: Pick<AccountState, 'holdUntil'>, trigger: RunTrigger, now: number): boolean {
  return trigger === 'retry' && state.holdUntil !== undefined && now < state.holdUntil;
}
