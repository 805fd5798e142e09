import type { ResolvedAccount } from '../../config/load.js';
import { ConfigError } from '../../errors.js';
import type { WechatHttpClient } from '../http-client.js';
import { ClassicTokenSource, FileTokenSource, StableTokenSource, UrlTokenSource } from './sources.js';
import type { TokenSource } from './token-source.js';

/** The token source the account's config asks for (README "Configuration": `tokenSource`). */
export function createTokenSource(account: ResolvedAccount, http: WechatHttpClient): TokenSource {
  const secret = (): { appid: string; secret: string } => {
    // The config check guarantees a secret for stable and classic; this guards a hand-built config.
    if (!account.appsecret) throw new ConfigError([`account ${account.name}: tokenSource ${account.tokenSource} needs the appsecret`]);
    return { appid: account.appid, secret: account.appsecret };
  };
  switch (account.tokenSource) {
    case 'stable':
      return new StableTokenSource(http, secret(), account.forceRefresh);
    case 'classic':
      return new ClassicTokenSource(http, secret());
    case 'file':
      return new FileTokenSource(account.tokenFile);
    case 'url':
      return new UrlTokenSource(http, account.appid, account.tokenUrl);
  }
}
