import { readFile } from 'node:fs/promises';
import { WechatApiError } from '../../errors.js';

/**
 * An appsecret that can change while the exporter runs: a `secretFile` mounted from a Kubernetes
 * Secret is updated in place when the Secret is. Read again before each token fetch (every ~2 h:
 * cheap), and once more when WeChat rejects it.
 */
export interface SecretReader {
  /** The secret last read. */
  current(): string;
  /** Reads it again (a file); resolves the value now in force, the last good one if the file is unreadable. */
  reread(): Promise<string>;
}

/** secretFile: the file's trimmed content; every new value is handed to `onSecret` (the redactor) first. */
export class FileSecret implements SecretReader {
  #value: string;

  constructor(
    private readonly path: string,
    initial: string,
    private readonly onSecret: (secret: string) => void = () => undefined,
  ) {
    this.#value = initial;
    onSecret(initial);
  }

  current(): string {
    return this.#value;
  }

  async reread(): Promise<string> {
    try {
      const text = (await readFile(this.path, 'utf8')).trim();
      if (text) {
        this.onSecret(text);
        this.#value = text;
      }
    } catch {
      // Kept: a Secret volume is briefly missing while Kubernetes swaps it; the config check at
      // reload reports a file that stays unreadable.
    }
    return this.#value;
  }
}

/** WeChat's answers to a token request whose appsecret is wrong (40125, and 40001 on some paths). */
export function isCredentialRejection(err: unknown): boolean {
  return err instanceof WechatApiError && (err.errcode === 40125 || err.errcode === 40001);
}

/**
 * Calls `send` with the secret read now; when WeChat rejects it and the file holds another one by
 * then, sends once more with that (a Secret rotated between the read and the call).
 */
export async function withFreshSecret<T>(secret: string | SecretReader, send: (secret: string) => Promise<T>): Promise<T> {
  if (typeof secret === 'string') return send(secret);
  const sent = await secret.reread();
  try {
    return await send(sent);
  } catch (err) {
    if (!isCredentialRejection(err)) throw err;
    const fresh = await secret.reread();
    if (fresh === sent) throw err;
    return send(fresh);
  }
}
