import type { ResolvedAccount } from '../../config/load.js';
import { ConfigError } from '../../errors.js';
import type { WechatHttpClient } from '../http-client.js';
import type { Redactor } from '../../redact.js';
import { FileSecret } from './secret.js';
import { ClassicTokenSource, FileTokenSource, StableTokenSource, UrlTokenSource, type AppCredentials } from './sources.js';
import type { TokenSource } from './token-source.js';

/** The token source the account's config asks for (README "Configuration": `tokenSource`). */
export function createTokenSource(account: ResolvedAccount, http: WechatHttpClient, redactor?: Redactor): TokenSource {
  const secret = (): AppCredentials => {
    // The config check guarantees a secret for stable and classic; this guards a hand-built config.
    if (!account.appsecret) throw new ConfigError([`account ${account.name}: tokenSource ${account.tokenSource} needs the appsecret`]);
    // A secretFile is re-read before each token fetch and on rejection (a rotated Kubernetes Secret).
    if (account.secretFile === undefined) return { appid: account.appid, secret: account.appsecret };
    return {
      appid: account.appid,
      secret: new FileSecret(account.secretFile, account.appsecret, (s) => redactor?.replace(`secret file of ${account.appid}`, s)),
    };
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
