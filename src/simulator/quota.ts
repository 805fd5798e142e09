/**
 * WeChat's daily call quota: counted per account and per API, reset at 00:00 Beijing.
 * https://developers.weixin.qq.com/doc/offiaccount/openApi/get_api_quota.html
 */
import { beijingDateOf } from '../dates.js';
import type { SimApi } from './types.js';

interface Usage {
  day: string;
  used: number;
}

export class QuotaBook {
  readonly #usage = new Map<string, Usage>();

  /** Counts one call at `now`; false when it goes beyond `limit` calls of the Beijing day. */
  take(appid: string, api: SimApi, now: number, limit: number): boolean {
    const key = `${appid}\n${api}`;
    const day = beijingDateOf(now);
    let usage = this.#usage.get(key);
    if (!usage || usage.day !== day) {
      usage = { day, used: 0 };
      this.#usage.set(key, usage);
    }
    usage.used++;
    return usage.used <= limit;
  }

  /** Calls counted today (Beijing) for this account and API. */
  used(appid: string, api: SimApi, now: number): number {
    const usage = this.#usage.get(`${appid}\n${api}`);
    return usage && usage.day === beijingDateOf(now) ? usage.used : 0;
  }
}
