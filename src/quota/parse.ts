import { InvalidResponseError } from '../errors.js';
import type { WechatJson } from '../wechat/http-client.js';

export interface QuotaFigures {
  readonly dailyLimit: number;
  readonly used: number;
  readonly remain: number;
}

/** `{"errcode":0,"errmsg":"ok","quota":{"daily_limit":…,"used":…,"remain":…}}`, checked. */
export function parseQuota(json: WechatJson): QuotaFigures {
  const quota = json['quota'];
  if (typeof quota !== 'object' || quota === null) throw new InvalidResponseError('quota_get', 'quota is missing or not an object');
  const q = quota as Record<string, unknown>;
  const count = (key: string): number => {
    const v = q[key];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) throw new InvalidResponseError('quota_get', `quota.${key} is not a count`);
    return v;
  };
  return { dailyLimit: count('daily_limit'), used: count('used'), remain: count('remain') };
}
