/**
 * `POST /cgi-bin/openapi/quota/get` with `{"cgi_path": "/datacube/getinterfacesummary"}`: the
 * account's daily limit for that API and its use today, from the same book the datacube calls
 * count in. The look-up itself is not counted (WeChat gives it a quota of its own).
 * https://developers.weixin.qq.com/doc/offiaccount/openApi/get_api_quota.html
 */
import { errcodeAnswer, jsonAnswer, type Answer } from './answers.js';
import type { SimContext } from './context.js';
import { isAnswer, tokenHolder, type DataApi } from './datacube-api.js';
import { stringField, type ParsedBody } from './request-body.js';

/** The limit the simulator reports for an account whose quota it does not enforce (dailyQuota Infinity). */
export const NOMINAL_DAILY_LIMIT = 5_000;

const CGI_PATHS: Readonly<Record<string, DataApi>> = {
  '/datacube/getinterfacesummary': 'getinterfacesummary',
  '/datacube/getinterfacesummaryhour': 'getinterfacesummaryhour',
};

export function answerQuotaGet(ctx: SimContext, token: string | undefined, body: ParsedBody): Answer {
  const account = tokenHolder(ctx, token);
  if (isAnswer(account)) return account;
  if (!account.settings.apiAuthorized) return errcodeAnswer(48001);
  if (body.kind === 'empty') return errcodeAnswer(44002);
  if (body.kind === 'invalid') return errcodeAnswer(47001);
  const api = CGI_PATHS[stringField(body, 'cgi_path') ?? ''];
  // WeChat answers 76021 ("cgi_path not found") for a path it does not know.
  if (api === undefined) return errcodeAnswer(76021, 'cgi_path not found');
  const limit = Number.isFinite(account.settings.dailyQuota) ? account.settings.dailyQuota : NOMINAL_DAILY_LIMIT;
  const used = ctx.quota.used(account.appid, api, ctx.now);
  return jsonAnswer({ errcode: 0, errmsg: 'ok', quota: { daily_limit: limit, used, remain: Math.max(0, limit - used) } });
}
