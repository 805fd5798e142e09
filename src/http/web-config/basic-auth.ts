import { createHash } from 'node:crypto';
import { compare } from 'bcryptjs';
import pLimit from 'p-limit';

/**
 * bcrypt of "fakepassword" (the toolkit's): compared against when the user is unknown, so that an
 * unknown user takes as long as a wrong password and user names cannot be found by timing.
 */
const DECOY_HASH = '$2y$10$QOauhQNbBCuQDKes6eFzPeMqBSjb7Mr5DUmpZ/VcEd00UAV/LDeSi';
/** Verdicts kept, as the toolkit keeps 100: enough for a few scrapers, bounded whatever clients send. */
const CACHE_SIZE = 100;

/** User and password of an `Authorization: Basic …` header (RFC 7617), or undefined. */
export function parseBasicAuth(header: string | undefined): { user: string; password: string } | undefined {
  const m = header ? /^basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header) : null;
  if (!m) return undefined;
  const decoded = Buffer.from(m[1] as string, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon < 0 ? undefined : { user: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

/**
 * Checks basic-auth credentials against `basic_auth_users`. A bcrypt comparison costs tens of
 * milliseconds (cost 10) to seconds (cost 18), so, like the toolkit, verdicts are cached by
 * user, hash and password (a changed hash is a new key) and comparisons run one at a time.
 * The cache keys are SHA-256 digests: no password is kept in memory in clear.
 */
export class BasicAuthVerifier {
  readonly #verdicts = new Map<string, boolean>();
  readonly #oneAtATime = pLimit(1);

  async verify(users: ReadonlyMap<string, string>, authorization: string | undefined): Promise<boolean> {
    const credentials = parseBasicAuth(authorization);
    if (!credentials) return false;
    const known = users.get(credentials.user);
    const hash = known ?? DECOY_HASH;
    const key = createHash('sha256')
      .update(JSON.stringify([credentials.user, hash, credentials.password]))
      .digest('hex');
    let ok = this.#verdicts.get(key);
    if (ok === undefined) {
      // bcryptjs refuses some revisions Go accepts ($2x$): such a hash never matches.
      const matches = await this.#oneAtATime(() => compare(credentials.password, hash).catch(() => false));
      ok = known !== undefined && matches;
      this.#remember(key, ok);
    }
    return ok;
  }

  #remember(key: string, ok: boolean): void {
    if (this.#verdicts.size >= CACHE_SIZE) {
      // Drop the oldest tenth at once rather than one entry per request.
      let drop = Math.max(1, Math.floor(CACHE_SIZE / 10));
      for (const k of this.#verdicts.keys()) {
        if (drop-- <= 0) break;
        this.#verdicts.delete(k);
      }
    }
    this.#verdicts.set(key, ok);
  }
}
