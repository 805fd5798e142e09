/** An access token and how long it stays valid. */
export interface AccessToken {
  readonly token: string;
  readonly expiresInSec: number;
}

/** The ways the exporter gets an account's access token (`accounts[].tokenSource`). */
export type TokenSourceKind = 'stable' | 'classic' | 'file' | 'url';

/** Fetches a fresh token; the cache in front of it decides when. */
export interface TokenSource {
  readonly kind: TokenSourceKind;
  /** `afterRejection`: WeChat refused the previous token (40001/40014/42001). */
  fetch(afterRejection: boolean): Promise<AccessToken>;
}
