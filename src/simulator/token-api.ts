/**
 * `/cgi-bin/token` and `/cgi-bin/stable_token`: the same checks in WeChat's order (parameters,
 * appid, secret, caller IP, quota), then a classic or a stable token.
 * https://developers.weixin.qq.com/doc/offiaccount/Basic_Information/Get_access_token.html
 */
import { errcodeAnswer, jsonAnswer, type Answer } from './answers.js';
import type { SimContext } from './context.js';

export interface TokenRequest {
  readonly api: 'token' | 'stable_token';
  readonly grantType: unknown;
  readonly appid: unknown;
  readonly secret: unknown;
  /** stable_token only: true issues a new token and invalidates the old one at once. */
  readonly forceRefresh: boolean;
}

export function answerTokenRequest(ctx: SimContext, req: TokenRequest): Answer {
  if (req.grantType !== 'client_credential') return errcodeAnswer(40002);
  if (typeof req.appid !== 'string' || req.appid === '') return errcodeAnswer(41002);
  if (typeof req.secret !== 'string' || req.secret === '') return errcodeAnswer(41004);
  const account = ctx.accounts.get(req.appid);
  if (!account) return errcodeAnswer(40013);
  if (account.secret !== req.secret) return errcodeAnswer(40125);
  if (!account.settings.ipWhitelisted) return errcodeAnswer(40164);
  if (!ctx.quota.take(account.appid, req.api, ctx.now, account.settings.dailyQuota)) return errcodeAnswer(45009);

  const issued =
    req.api === 'token' ? ctx.tokens.issueClassic(account.appid, ctx.now) : ctx.tokens.stable(account.appid, ctx.now, req.forceRefresh);
  return jsonAnswer({ access_token: issued.accessToken, expires_in: issued.expiresIn });
}
