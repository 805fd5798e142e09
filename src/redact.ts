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

  /** Registers a value (appsecret, token) to be masked wherever it appears. */
  add(secret: string | undefined): void {
    if (secret && secret.length >= MIN_SECRET_LENGTH) this.#secrets.add(secret);
  }

  /** The text with credential query parameters and every registered secret masked. */
  redact(text: string): string {
    let out = text.replace(CREDENTIAL_PARAMS, `$1${MASK}`);
    for (const secret of this.#secrets) {
      if (out.includes(secret)) out = out.split(secret).join(MASK);
    }
    return out;
  }
}

/** Masks credential query parameters of a URL (for messages that must name a URL). */
export function redactUrl(url: string): string {
  return url.replace(CREDENTIAL_PARAMS, `$1${MASK}`);
}
