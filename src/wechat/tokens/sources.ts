import { readFile } from 'node:fs/promises';
import { InvalidResponseError, TokenSourceError, type ApiName } from '../../errors.js';
import type { WechatHttpClient, WechatJson, WechatRequest } from '../http-client.js';
import { withFreshSecret, type SecretReader } from './secret.js';
import type { AccessToken, TokenSource } from './token-source.js';

export interface AppCredentials {
  readonly appid: string;
  /** A string for a fixed secret; a reader for a `secretFile`, re-read before each fetch and on rejection. */
  readonly secret: string | SecretReader;
}

/** `{"access_token": "...", "expires_in": 7200}`, checked. */
export function parseAccessToken(api: ApiName, json: WechatJson): AccessToken {
  const token = json['access_token'];
  const expires = json['expires_in'];
  if (typeof token !== 'string' || token.length === 0) throw new InvalidResponseError(api, 'access_token is missing or not a string');
  if (typeof expires !== 'number' || !Number.isFinite(expires) || expires <= 0) {
    throw new InvalidResponseError(api, 'expires_in is missing or not a positive number');
  }
  return { token, expiresInSec: expires };
}

/** One call to a token API, its answer checked. */
async function tokenCall(http: WechatHttpClient, req: WechatRequest): Promise<AccessToken> {
  return parseAccessToken(req.api, await http.call(req));
}

/**
 * `POST /cgi-bin/stable_token` (the recommended token): the same token while it is valid and
 * independent of classic tokens, so the exporter cannot break the account's other services.
 * `force_refresh` invalidates the token everywhere and is limited to 20 a day: only when the
 * operator allows it, and only after a rejection.
 * https://developers.weixin.qq.com/doc/offiaccount/Basic_Information/getStableAccessToken.html
 */
export class StableTokenSource implements TokenSource {
  readonly kind = 'stable';

  constructor(
    private readonly http: WechatHttpClient,
    private readonly credentials: AppCredentials,
    private readonly forceRefreshAllowed = false,
  ) {}

  async fetch(afterRejection: boolean): Promise<AccessToken> {
    const { appid } = this.credentials;
    return withFreshSecret(this.credentials.secret, (secret) => {
      const body = { grant_type: 'client_credential', appid, secret, force_refresh: this.forceRefreshAllowed && afterRejection };
      return tokenCall(this.http, { api: 'stable_token', appid, method: 'POST', path: '/cgi-bin/stable_token', body });
    });
  }
}

/**
 * `GET /cgi-bin/token`: each call invalidates the account's previous token (after 5 minutes), so
 * it can break other services of the account. Only for accounts whose operator chooses it.
 */
export class ClassicTokenSource implements TokenSource {
  readonly kind = 'classic';

  constructor(
    private readonly http: WechatHttpClient,
    private readonly credentials: AppCredentials,
  ) {}

  async fetch(): Promise<AccessToken> {
    const { appid } = this.credentials;
    return withFreshSecret(this.credentials.secret, (secret) => {
      const query = { grant_type: 'client_credential', appid, secret };
      return tokenCall(this.http, { api: 'token', appid, method: 'GET', path: '/cgi-bin/token', query });
    });
  }
}

/**
 * A file holding the bare token, kept fresh by something else (a central token service, a
 * third-party platform's authorizer_access_token job). Re-read when WeChat rejects the token, and
 * at least every `rereadSec`.
 */
export class FileTokenSource implements TokenSource {
  readonly kind = 'file';

  constructor(
    private readonly path: string,
    private readonly rereadSec = 300,
  ) {}

  async fetch(): Promise<AccessToken> {
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch (err) {
      throw new TokenSourceError(`token file ${this.path}: ${(err as NodeJS.ErrnoException).code ?? 'unreadable'}`, 'retry', {
        cause: err,
      });
    }
    const token = text.trim();
    if (!token || /\s/.test(token)) throw new TokenSourceError(`token file ${this.path}: expected one bare token`, 'retry');
    return { token, expiresInSec: this.rereadSec };
  }
}

/** `GET tokenUrl` returning `{"access_token","expires_in"}`: an organisation's token service. */
export class UrlTokenSource implements TokenSource {
  readonly kind = 'url';

  constructor(
    private readonly http: WechatHttpClient,
    private readonly appid: string,
    private readonly url: string,
  ) {}

  async fetch(): Promise<AccessToken> {
    const json = await this.http.call({ api: 'token_url', appid: this.appid, method: 'GET', path: '', url: this.url });
    return parseAccessToken('token_url', json);
  }
}
