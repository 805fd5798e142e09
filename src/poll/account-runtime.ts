import type { Logger } from 'winston';
import type { ResolvedAccount } from '../config/load.js';
import type { StoredStart } from '../store/start-reads.js';
import type { AccountApi } from '../wechat/account-api.js';
import type { AccountState } from './account-state.js';

/** What the exporter holds per account: its WeChat API, its state and its logger. */
export interface AccountRuntime {
  readonly api: AccountApi;
  readonly state: AccountState;
  readonly log: Logger;
}

/** An account as the exporter starts it: its reference day and last success read back from the store (readStartStates). */
export function startAccount(account: ResolvedAccount, api: AccountApi, stored: StoredStart, logger: Logger): AccountRuntime {
  return {
    api,
    state: {
      name: account.name,
      appid: account.appid,
      tokenSource: account.tokenSource,
      labels: account.labels,
      reference: stored.reference,
      lastSuccessAt: stored.lastSuccessAt,
      pendingDays: [],
    },
    log: logger.child({ account: account.name, appid: account.appid }),
  };
}
