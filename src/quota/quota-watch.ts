import { Gauge, type Registry } from 'prom-client';
import type { Logger } from 'winston';
import type { Clock } from '../clock.js';
import { beijingDateOf } from '../dates.js';
import { WechatApiError, errorMessage } from '../errors.js';
import type { QuotaRecord, QuotaTable } from '../store/quota-table.js';
import type { AccountApi } from '../wechat/account-api.js';
import { parseQuota } from './parse.js';

/** The APIs whose quota is watched: the two datacube calls this exporter makes. */
export const QUOTA_APIS = ['getinterfacesummary', 'getinterfacesummaryhour'] as const;

/** The gauges: name suffix, WeChat's field, QuotaRecord's field. */
const FIELDS = [
  ['limit', 'daily_limit', 'dailyLimit'],
  ['used', 'used', 'used'],
  ['remaining', 'remain', 'remain'],
] as const;

/** 48001 / 50001: the account may not call quota/get; it just has no quota gauges. */
const UNAUTHORIZED = new Set([48001, 50001]);

export interface QuotaWatchOptions {
  readonly table: QuotaTable;
  readonly clock: Clock;
  readonly registry: Registry;
  /** The appids running now (the same Set until they change): a removed account's quota leaves /metrics. */
  readonly appids: () => ReadonlySet<string>;
}

/**
 * WeChat's daily quota of the datacube APIs, shared by every tool that calls them: asked at most
 * once per Beijing day per account, right after a poll that fetched data (a restart that needs
 * none stays at zero calls), kept in the store and shown as gauges. Its failures never touch the
 * account's state.
 */
export class QuotaWatch {
  readonly #o: QuotaWatchOptions;
  /** `${appid}\n${api}` → last answer; loaded from the store so a restart shows them at once. */
  readonly #records = new Map<string, QuotaRecord>();
  /** Accounts already logged as not permitted. */
  readonly #unauthorized = new Set<string>();
  #generation = 0;
  #appids: ReadonlySet<string> | undefined;

  /** The gauges' names in the registry. */
  readonly names = FIELDS.map(([suffix]) => `wechat_exporter_api_quota_${suffix}`);

  /**
   * Moves when the gauges would change: an answer stored, or the running accounts changed. With
   * thousands of accounts they are tens of thousands of series, rendered again only then
   * (metrics/exposition/live-families.ts), not at every scrape.
   */
  get generation(): number {
    const appids = this.#o.appids();
    if (appids !== this.#appids) {
      this.#appids = appids;
      this.#generation++;
    }
    return this.#generation;
  }

  constructor(options: QuotaWatchOptions) {
    this.#o = options;
    for (const r of options.table.all()) {
      this.#records.set(`${r.appid}\n${r.api}`, r);
      if (r.status === 'unauthorized') this.#unauthorized.add(r.appid);
    }
    this.#register(options.registry);
  }

  /** Asks WeChat unless this account was already asked today. Never rejects. */
  async afterDataPoll(api: AccountApi, log: Logger): Promise<void> {
    const today = beijingDateOf(this.#o.clock.now());
    for (const name of QUOTA_APIS) {
      const key = `${api.appid}\n${name}`;
      if (this.#records.get(key)?.checkedOn === today) continue;
      const record = await this.#ask(api, name, today, log);
      if (!record) return;
      if (record.status === 'unauthorized' && !this.#unauthorized.has(api.appid)) {
        this.#unauthorized.add(api.appid);
        log.warn('quota look-up not permitted for this account; no quota gauges (logged once)', { errcode: 48001 });
      }
      this.#records.set(key, record);
      this.#generation++;
      this.#o.table.save(record);
    }
  }

  async #ask(api: AccountApi, name: string, today: string, log: Logger): Promise<QuotaRecord | undefined> {
    const base = { appid: api.appid, api: name, checkedOn: today, fetchedAt: this.#o.clock.now() };
    try {
      return { ...base, status: 'ok', ...parseQuota(await api.quotaGet(`/datacube/${name}`)) };
    } catch (err) {
      if (err instanceof WechatApiError && UNAUTHORIZED.has(err.errcode)) return { ...base, status: 'unauthorized' };
      // Asked again after the next poll that fetches data; the poll itself stays a success.
      log.warn('quota look-up failed', { api: name, error: errorMessage(err) });
      return undefined;
    }
  }

  #register(registry: Registry): void {
    for (const [suffix, wechat, key] of FIELDS) {
      const g: Gauge<'appid' | 'api'> = new Gauge({
        name: `wechat_exporter_api_quota_${suffix}`,
        help: `WeChat's daily quota of the API for the account (${wechat} from /cgi-bin/openapi/quota/get, asked once a Beijing day after data came in).`,
        labelNames: ['appid', 'api'],
        registers: [registry],
        collect: () => {
          g.reset();
          const running = this.#o.appids();
          for (const r of this.#records.values()) {
            const v = r[key];
            if (r.status === 'ok' && v !== undefined && running.has(r.appid)) g.set({ appid: r.appid, api: r.api }, v);
          }
        },
      });
    }
  }
}
