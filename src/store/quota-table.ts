import type Database from 'better-sqlite3';
import type { BeijingDate } from '../dates.js';

/** One API's quota for one account, as WeChat last answered it. */
export interface QuotaRecord {
  readonly appid: string;
  /** `getinterfacesummary` or `getinterfacesummaryhour`. */
  readonly api: string;
  /** The Beijing day it was asked. */
  readonly checkedOn: BeijingDate;
  /** `unauthorized`: the account may not call quota/get; no figures. */
  readonly status: 'ok' | 'unauthorized';
  readonly dailyLimit?: number | undefined;
  readonly used?: number | undefined;
  readonly remain?: number | undefined;
  readonly fetchedAt: number;
}

interface Row {
  appid: string;
  api: string;
  checked_on: string;
  status: 'ok' | 'unauthorized';
  daily_limit: number | null;
  used: number | null;
  remain: number | null;
  fetched_at: number;
}

/** The `api_quota` table: the last answer per account and API (older ones are of no use). */
export class QuotaTable {
  readonly #upsert;
  readonly #all;

  constructor(db: Database.Database) {
    this.#upsert = db.prepare(`INSERT INTO api_quota (appid, api, checked_on, status, daily_limit, used, remain, fetched_at)
      VALUES (@appid, @api, @checkedOn, @status, @dailyLimit, @used, @remain, @fetchedAt)
      ON CONFLICT (appid, api) DO UPDATE SET checked_on = excluded.checked_on, status = excluded.status, daily_limit = excluded.daily_limit,
        used = excluded.used, remain = excluded.remain, fetched_at = excluded.fetched_at`);
    this.#all = db.prepare<[], Row>('SELECT * FROM api_quota ORDER BY appid, api');
  }

  save(r: QuotaRecord): void {
    this.#upsert.run({ dailyLimit: null, used: null, remain: null, ...r });
  }

  all(): QuotaRecord[] {
    return this.#all.all().map((r) => ({
      appid: r.appid,
      api: r.api,
      checkedOn: r.checked_on,
      status: r.status,
      dailyLimit: r.daily_limit ?? undefined,
      used: r.used ?? undefined,
      remain: r.remain ?? undefined,
      fetchedAt: r.fetched_at,
    }));
  }
}
