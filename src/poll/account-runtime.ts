import type { Logger } from 'winston';
import type { ResolvedAccount } from '../config/load.js';
import { readReferenceDay } from '../store/history.js';
import type { Store } from '../store/store.js';
import type { AccountApi } from '../wechat/account-api.js';
import type { AccountState } from './account-state.js';

/** What the exporter holds per account: its WeChat API, its state and its logger. */
export interface AccountRuntime {
  readonly api: AccountApi;
  readonly state: AccountState;
  readonly log: Logger;
}

/** An account as the exporter starts it: its reference day and last success read back from the store. */
export function startAccount(account: ResolvedAccount, api: AccountApi, store: Store, logger: Logger): AccountRuntime {
  return {
    api,
    state: {
      name: account.name,
      appid: account.appid,
      tokenSource: account.tokenSource,
      reference: readReferenceDay(store, account.appid),
      lastSuccessAt: store.lastSuccess(account.appid),
      pendingDays: [],
    },
    log: logger.child({ account: account.name, appid: account.appid }),
  };
}
