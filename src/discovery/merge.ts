import type { ResolvedAccount } from '../config/load.js';

export interface NamedList {
  /** `accounts` for the static list, else the discovery source's label. */
  readonly source: string;
  readonly accounts: readonly ResolvedAccount[];
}

/**
 * The accounts the exporter runs on: the static list first, then each source in order. An entry
 * whose name or appid is already taken is refused alone (the first one keeps it), so one platform
 * file listing an account twice cannot take the other accounts down.
 */
export function mergeAccounts(lists: readonly NamedList[]): { accounts: ResolvedAccount[]; rejected: string[] } {
  const byName = new Map<string, string>();
  const byAppid = new Map<string, string>();
  const accounts: ResolvedAccount[] = [];
  const rejected: string[] = [];
  for (const { source, accounts: list } of lists) {
    for (const a of list) {
      const clash = byAppid.has(a.appid)
        ? `appid ${a.appid} is already used by ${byAppid.get(a.appid)}`
        : byName.has(a.name)
          ? `name ${JSON.stringify(a.name)} is already used by ${byName.get(a.name)}`
          : undefined;
      if (clash) {
        rejected.push(`${source}: account ${JSON.stringify(a.name)} (${a.appid}) refused: ${clash}`);
        continue;
      }
      const where = `${source} (account ${JSON.stringify(a.name)})`;
      byAppid.set(a.appid, where);
      byName.set(a.name, where);
      accounts.push(a);
    }
  }
  return { accounts, rejected };
}
