import { isDeepStrictEqual } from 'node:util';
import type { ResolvedAccount } from '../config/load.js';

export interface AccountDiff<R> {
  /** Same appid, same settings and secret: keeps its runtime (state, cached token) untouched. */
  readonly kept: readonly R[];
  /** Same appid, something else differs (secret, token source, name): a new runtime, state carried over. */
  readonly changed: readonly { readonly before: R; readonly after: ResolvedAccount }[];
  /** Same appid, only `labels` differ: keeps its runtime, takes the new labels; no WeChat call. */
  readonly relabeled: readonly { readonly before: R; readonly after: ResolvedAccount }[];
  readonly added: readonly ResolvedAccount[];
  readonly removed: readonly R[];
}

/** What a reload does to the running accounts, matched by appid (the identity WeChat knows). */
export function diffAccounts<R extends { readonly config: ResolvedAccount }>(
  running: readonly R[],
  next: readonly ResolvedAccount[],
): AccountDiff<R> {
  const byAppid = new Map(running.map((r) => [r.config.appid, r]));
  const nextAppids = new Set(next.map((a) => a.appid));
  const kept: R[] = [];
  const changed: { before: R; after: ResolvedAccount }[] = [];
  const relabeled: { before: R; after: ResolvedAccount }[] = [];
  const added: ResolvedAccount[] = [];
  for (const account of next) {
    const before = byAppid.get(account.appid);
    if (!before) added.push(account);
    else if (isDeepStrictEqual(before.config, account)) kept.push(before);
    else if (isDeepStrictEqual({ ...before.config, labels: account.labels }, account)) relabeled.push({ before, after: account });
    else changed.push({ before, after: account });
  }
  return { kept, changed, relabeled, added, removed: running.filter((r) => !nextAppids.has(r.config.appid)) };
}
