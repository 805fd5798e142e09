/**
 * Keeps appsecrets and access tokens out of everything the exporter prints. Two layers:
 * query parameters that carry credentials are masked by name wherever a URL is shown, and every
 * secret and token the process learns is registered here and masked by value in any text
 * (log lines, error messages, the landing page) as a safety net.
 */

const MASK = '***';
const CREDENTIAL_PARAMS = /([?&](?:access_token|secret|appsecret|component_access_token|authorizer_access_token)=)[^&#\s"']*/gi;
/** Shorter strings would mask ordinary words; WeChat secrets and tokens are far longer. */
const MIN_SECRET_LENGTH = 8;

export class Redactor {
  readonly #secrets = new Set<string>();
  /** Credentials that change (access tokens, re-read files): the current value and the one before, by owner. */
  readonly #rotating = new Map<string, readonly string[]>();

  /** Registers a value that stays (an appsecret) to be masked wherever it appears. */
  add(secret: string | undefined): void {
    if (secret && secret.length >= MIN_SECRET_LENGTH) this.#secrets.add(secret);
  }

  /**
   * Registers the new value of a credential that changes, under its owner's `key` (e.g. an
   * account's access token): it and the value before it (a call in flight may still carry that
   * one) are masked, older ones are forgotten. Bounded: with `add`, every account's daily token
   * stayed here for the process' life, a few hundred bytes per account-day (bench/longrun.ts), and
   * every log line was checked against all of them.
   */
  replace(key: string, secret: string | undefined): void {
    if (!secret || secret.length < MIN_SECRET_LENGTH) return;
    const [current] = this.#rotating.get(key) ?? [];
    if (current !== secret) this.#rotating.set(key, current === undefined ? [secret] : [secret, current]);
  }

  /** How many values are masked (bounded: see `replace`). */
  get size(): number {
    let n = this.#secrets.size;
    for (const values of this.#rotating.values()) n += values.length;
    return n;
  }

  /** The text with credential query parameters and every registered secret masked. */
  redact(text: string): string {
    let out = text.replace(CREDENTIAL_PARAMS, `$1${MASK}`);
    const mask = (secret: string): void => {
      if (out.includes(secret)) out = out.split(secret).join(MASK);
    };
    this.#secrets.forEach(mask);
    for (const values of this.#rotating.values()) values.forEach(mask);
    return out;
  }
}

/** Masks credential query parameters of a URL (for messages that must name a URL). */
export function redactUrl(url: string): string {
  return url.replace(CREDENTIAL_PARAMS, `$1${MASK}`);
}
