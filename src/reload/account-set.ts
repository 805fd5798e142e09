import { isDeepStrictEqual } from 'node:util';
import type { ResolvedAccount, ResolvedConfig } from '../config/load.js';
import { AccountRuns, type AccountRunsOptions } from '../poll/account-runs.js';
import type { RunTrigger } from '../poll/scheduler.js';
import { readStartStates } from '../store/start-reads.js';
import type { AccountDiff } from './account-diff.js';
import { buildRuntime, nextRuntimes, type AccountRuntime, type RuntimeDeps } from './account-runtime.js';

/**
 * The accounts the exporter runs on, changed in place by reloads and discovery. Their polls run in
 * poll/account-runs.ts (one poll per account at a time, each with its own retry timer).
 */
export class AccountSet {
  readonly #deps: RuntimeDeps;
  readonly #runs: AccountRuns<AccountRuntime>;
  #runtimes: AccountRuntime[];
  /** Made again only when the list changes: its identity tells the quota gauges the accounts changed. */
  #appids: ReadonlySet<string> | undefined;

  /** `mine`: whether an appid belongs to this exporter (`--shard`); the others are left out of every list. */
  constructor(
    accounts: readonly ResolvedAccount[],
    deps: RuntimeDeps & { readonly runs: AccountRunsOptions },
    private readonly mine: (appid: string) => boolean = () => true,
  ) {
    this.#deps = deps;
    this.#runs = new AccountRuns(deps.runs);
    const stored = readStartStates(deps.store);
    this.#runtimes = accounts.filter((a) => mine(a.appid)).map((a) => buildRuntime(a, deps, undefined, stored(a.appid)));
  }

  /** In the order of the last applied list. */
  get runtimes(): readonly AccountRuntime[] {
    return this.#runtimes;
  }

  /** The appids of `runtimes`: the same Set until the list changes. */
  appids(): ReadonlySet<string> {
    this.#appids ??= new Set(this.#runtimes.map((r) => r.config.appid));
    return this.#appids;
  }

  /**
   * Switches to `next` without a restart: a kept account keeps its runtime (state, cached token)
   * and makes no call; a changed one gets new clients; a removed one leaves /metrics (its rows
   * stay in the store) and its run stops its retry timer, as does a changed one's old run.
   * Resolves the diff and the runtimes to poll now (added and changed).
   */
  apply(next: readonly ResolvedAccount[]): { diff: AccountDiff<AccountRuntime>; fresh: readonly AccountRuntime[] } {
    const { diff, runtimes, fresh } = nextRuntimes(
      this.#runtimes,
      next.filter((a) => this.mine(a.appid)),
      this.#deps,
    );
    if (fresh.length || diff.removed.length) {
      this.#runtimes = runtimes;
      this.#appids = undefined;
    }
    for (const r of [...diff.removed, ...diff.changed.map((c) => c.before)]) this.#runs.forget(r);
    return { diff, fresh };
  }

  /**
   * Starts `poll` for each runtime on its own run (poll/account-runs.ts): an account already being
   * polled joins that poll; one that wants a retry gets its own timer. Resolves who wants a retry.
   */
  start(
    runtimes: readonly AccountRuntime[],
    trigger: RunTrigger,
    poll: (r: AccountRuntime, t: RunTrigger) => Promise<boolean>,
  ): Promise<boolean[]> {
    return Promise.all(runtimes.map((r) => this.#runs.start(r, trigger, { poll: (t) => poll(r, t), retryAt: () => r.state.nextPollAt })));
  }

  /** `schedule.concurrency` from a reload. */
  setConcurrency(concurrency: number): void {
    this.#runs.setConcurrency(concurrency);
  }

  /** No more retries; resolves once the polls in progress have ended. */
  stop(): Promise<void> {
    return this.#runs.stop();
  }
}

/** What a reload changed that takes effect only after a restart (the shared HTTP client, the remote writers). */
export function restartOnlyChanges(before: ResolvedConfig, after: ResolvedConfig): string[] {
  return (['wechat', 'remoteWrite'] as const)
    .filter((k) => !isDeepStrictEqual(before[k], after[k]))
    .map((k) => `${k}: changed; the new settings take effect after a restart`);
}
