import type { Clock } from '../clock.js';
import { nextBeijingMidnight, type BeijingDate, type DayRange } from '../dates.js';
import { QuotaExhaustedError, WechatApiError } from '../errors.js';
import type { ApiMetrics } from './api-metrics.js';
import { assertDatacubeRange, type DatacubeApi } from './date-rules.js';
import type { WechatHttpClient, WechatJson } from './http-client.js';
import type { DailyRow, HourlyRow } from '../figures.js';
import { parseDailySummary, parseHourlySummary, type ParsedSummary } from './summary.js';
import type { TokenCache } from './tokens/token-cache.js';

export interface AccountApiOptions {
  readonly appid: string;
  readonly http: WechatHttpClient;
  readonly tokens: TokenCache;
  readonly clock: Clock;
  readonly metrics: ApiMetrics;
}

/**
 * The interface-summary APIs for one account: dates checked before sending, the token attached
 * (a rejected token replaced and the call retried once), and the account's daily quota respected
 * (after 45009 no call is made until 00:00 Beijing).
 * https://developers.weixin.qq.com/doc/offiaccount/Analytics/Analytics_API.html
 */
export class AccountApi {
  readonly #o: AccountApiOptions;
  #quotaUntil = 0;

  constructor(options: AccountApiOptions) {
    this.#o = options;
  }

  get appid(): string {
    return this.#o.appid;
  }

  /** Epoch ms until which the account's quota is spent, or undefined. */
  get quotaExhaustedUntil(): number | undefined {
    return this.#o.clock.now() < this.#quotaUntil ? this.#quotaUntil : undefined;
  }

  /** `getinterfacesummary` for the range (at most 30 days, up to yesterday). */
  async dailySummary(range: DayRange): Promise<ParsedSummary<DailyRow>> {
    const json = await this.#datacube('getinterfacesummary', range);
    return this.#countDropped('getinterfacesummary', parseDailySummary(json, range));
  }

  /** `getinterfacesummaryhour` for one day. */
  async hourlySummary(date: BeijingDate): Promise<ParsedSummary<HourlyRow>> {
    const range = { from: date, to: date };
    const json = await this.#datacube('getinterfacesummaryhour', range);
    return this.#countDropped('getinterfacesummaryhour', parseHourlySummary(json, range));
  }

  async #datacube(api: DatacubeApi, range: DayRange): Promise<WechatJson> {
    const { clock, http, appid } = this.#o;
    assertDatacubeRange(api, range, clock.now());
    const send = (token: string): Promise<WechatJson> =>
      http.call({
        api,
        appid,
        method: 'POST',
        path: `/datacube/${api}`,
        query: { access_token: token },
        body: { begin_date: range.from, end_date: range.to },
      });
    return this.#guardQuota(() => this.#withToken(send));
  }

  /**
   * `POST /cgi-bin/openapi/quota/get` for one API path: the account's daily limit and use of it.
   * Outside the quota guard: it is not a datacube call, and it is asked only after data came in.
   * https://developers.weixin.qq.com/doc/offiaccount/openApi/get_api_quota.html
   */
  async quotaGet(cgiPath: string): Promise<WechatJson> {
    const { http, appid } = this.#o;
    return this.#withToken((token) =>
      http.call({
        api: 'quota_get',
        appid,
        method: 'POST',
        path: '/cgi-bin/openapi/quota/get',
        query: { access_token: token },
        body: { cgi_path: cgiPath },
      }),
    );
  }

  /** Sends with the cached token; a rejected token is replaced and the call sent once more. */
  async #withToken(send: (token: string) => Promise<WechatJson>): Promise<WechatJson> {
    const { tokens } = this.#o;
    const token = await tokens.get();
    try {
      return await send(token);
    } catch (err) {
      if (!(err instanceof WechatApiError) || err.errorClass !== 'token') throw err;
      tokens.invalidate(token);
      return send(await tokens.get());
    }
  }

  async #guardQuota<T>(fn: () => Promise<T>): Promise<T> {
    const until = this.quotaExhaustedUntil;
    if (until !== undefined) throw new QuotaExhaustedError(until);
    try {
      return await fn();
    } catch (err) {
      if (err instanceof WechatApiError && err.errorClass === 'quota') {
        this.#quotaUntil = nextBeijingMidnight(this.#o.clock.now());
      }
      throw err;
    }
  }

  #countDropped<Row>(api: DatacubeApi, parsed: ParsedSummary<Row>): ParsedSummary<Row> {
    if (parsed.dropped > 0) this.#o.metrics.rowsDropped.inc({ appid: this.#o.appid, api }, parsed.dropped);
    return parsed;
  }
}
