import type { Logger } from 'winston';
import type { ResolvedAccount } from '../config/load.js';
import type { AccountState } from '../poll/account-state.js';
import { startAccount, type AccountRuntime as PolledAccount } from '../poll/account-runtime.js';
import { readReferenceDay } from '../store/history.js';
import type { StoredStart } from '../store/start-reads.js';
import type { Store } from '../store/store.js';
import type { AccountClients } from '../wechat/account-clients.js';
import { diffAccounts, type AccountDiff } from './account-diff.js';

/** One account as the exporter runs it: poll/account-runtime.ts's (API client with its token cache, state, logger) and its config. */
export interface AccountRuntime extends PolledAccount {
  /** Replaced in place when only its labels change (relabel): the runtime, its run and token cache stay. */
  config: ResolvedAccount;
}

export interface RuntimeDeps {
  readonly clients: AccountClients;
  readonly store: Store;
  readonly logger: Logger;
}

/**
 * Builds an account's runtime, with new clients (a new token cache). `previous` is the state of the
 * same appid before a reload changed its credentials or name: what `/metrics` shows carries over
 * until the next poll. `stored`: what the start read back for all accounts at once (readStartStates);
 * an account added by a reload reads its own.
 */
export function buildRuntime(account: ResolvedAccount, deps: RuntimeDeps, previous?: AccountState, stored?: StoredStart): AccountRuntime {
  const { store } = deps;
  const start = stored ?? { reference: readReferenceDay(store, account.appid), lastSuccessAt: store.lastSuccess(account.appid) };
  const started = startAccount(account, deps.clients.add(account), start, deps.logger);
  const state = previous ? { ...previous, name: account.name, tokenSource: account.tokenSource, labels: account.labels } : started.state;
  return { ...started, config: account, state };
}

/**
 * The runtimes for a new account list, in its order: kept ones as they are (state, cached token),
 * changed ones rebuilt with their state carried over, added ones new; removed ones' clients are
 * dropped. `fresh` are those to poll now. Logs the change.
 */
export function nextRuntimes(
  running: readonly AccountRuntime[],
  next: readonly ResolvedAccount[],
  deps: RuntimeDeps,
): { diff: AccountDiff<AccountRuntime>; runtimes: AccountRuntime[]; fresh: AccountRuntime[] } {
  const diff = diffAccounts(running, next);
  for (const r of diff.removed) deps.clients.remove(r.config.appid);
  for (const { before, after } of diff.relabeled) relabel(before, after);
  const fresh = [
    ...diff.changed.map(({ before, after }) => buildRuntime(after, deps, before.state)),
    ...diff.added.map((a) => buildRuntime(a, deps)),
  ];
  const byAppid = new Map([...diff.kept, ...diff.relabeled.map((r) => r.before), ...fresh].map((r) => [r.config.appid, r]));
  if (fresh.length || diff.removed.length || diff.relabeled.length) {
    deps.logger.info('accounts updated', {
      added: diff.added.map((a) => a.name),
      changed: diff.changed.map((c) => c.after.name),
      relabeled: diff.relabeled.map((c) => c.after.name),
      removed: diff.removed.map((r) => r.config.name),
      kept: diff.kept.length,
    });
  }
  return { diff, runtimes: next.map((a) => byAppid.get(a.appid) as AccountRuntime), fresh };
}

/**
 * Only the labels changed: the same runtime takes the new config and its state the new labels (a
 * new object, so that /metrics renders the account again). No new client, no poll, no WeChat call:
 * the labels are the exporter's own, WeChat knows nothing of them.
 */
function relabel(runtime: AccountRuntime, account: ResolvedAccount): void {
  runtime.config = account;
  runtime.state.labels = account.labels;
}
