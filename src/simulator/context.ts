import type { AccountBook } from './accounts.js';
import type { QuotaBook } from './quota.js';
import type { TokenBook } from './tokens.js';

/** The simulator's state as one request sees it, at the clock time it is answered. */
export interface SimContext {
  readonly accounts: AccountBook;
  readonly tokens: TokenBook;
  readonly quota: QuotaBook;
  readonly now: number;
}
