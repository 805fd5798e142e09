import type { BeijingDate } from '../dates.js';
import { UsageError } from '../errors.js';
import { checkDateRange } from '../date-range.js';
import { remoteWriteProblems } from '../remote-write/targets.js';

/**
 * Longest range of one backfill run. A year and a month covers "last year, same time" panels; a
 * longer history is several runs (each only fetches the days the store lacks), which keeps one
 * run's API calls, memory and output file at a sane size.
 */
export const MAX_BACKFILL_DAYS = 400;

/** `backfill`'s own flags, as typed. */
export interface BackfillFlags {
  readonly from?: string | undefined;
  readonly to?: string | undefined;
  readonly account?: string | undefined;
  readonly output?: string | undefined;
  readonly remoteWrite?: string | undefined;
}

export interface NamedAccount {
  readonly name: string;
  readonly appid: string;
}

export interface BackfillPlan {
  readonly from: BeijingDate;
  readonly to: BeijingDate;
  /** The accounts to backfill, in config order. */
  readonly accounts: readonly NamedAccount[];
  /** A file path, or `-` for standard output; undefined with `--remote-write` only. */
  readonly output: string | undefined;
  /** `--remote-write URL`: push the range there through the remote-write outbox. */
  readonly remoteWrite?: string | undefined;
}

/** Checks the flags against the configured accounts and the clock (pure); throws UsageError. */
export function planBackfill(flags: BackfillFlags, configured: readonly NamedAccount[], nowMs: number): BackfillPlan {
  const range = checkDateRange(flags.from, flags.to, {
    maxDays: MAX_BACKFILL_DAYS,
    names: { from: '--from', to: '--to' },
    spanHint: ' in one run; split the range into several runs',
    nowMs,
  });
  if (!range.ok) throw new UsageError(range.message);
  let accounts = configured;
  if (flags.account !== undefined) {
    accounts = configured.filter((a) => a.name === flags.account);
    if (accounts.length === 0) {
      throw new UsageError(
        `--account: no account named ${JSON.stringify(flags.account)} in the configuration (configured: ${configured.map((a) => a.name).join(', ')})`,
      );
    }
  }
  if (!flags.output && !flags.remoteWrite)
    throw new UsageError('--output: required (a file path, or - for standard output), unless --remote-write URL is given');
  if (flags.remoteWrite !== undefined) checkRemoteWriteUrl(flags.remoteWrite);
  const remoteWrite = flags.remoteWrite === undefined ? {} : { remoteWrite: flags.remoteWrite };
  return { from: range.from, to: range.to, accounts, output: flags.output || undefined, ...remoteWrite };
}

/** The remote-write URL as the config's `remoteWrite[].url` would accept it. */
function checkRemoteWriteUrl(url: string): void {
  const problems = remoteWriteProblems([{ url }]);
  if (problems.length > 0) throw new UsageError(`--remote-write: ${problems.map((p) => p.replace(/^\[0\]\.url: /, '')).join('; ')}`);
}
