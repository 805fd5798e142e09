import { readFileSync } from 'node:fs';
import { ConfigError } from '../../errors.js';
import { parseWebConfig, type WebConfigSpec } from './parse.js';
import { buildTlsPolicy, type TlsPolicy } from './tls-options.js';

/**
 * The web config file, re-read whenever asked, as the toolkit reads it on every request and every
 * TLS handshake: a changed users list or TLS policy applies to the next request or connection.
 * Parsing and the OpenSSL check are cached, keyed by the file's text and the TLS files' contents,
 * so an unchanged file costs one small read. A file that has become invalid is never replaced by
 * "no protection": the caller gets the error and refuses the request or connection.
 */
export class WebConfigSource {
  readonly file: string;
  #text: string | undefined;
  #spec: WebConfigSpec | undefined;
  #tls: TlsPolicy | undefined;

  private constructor(file: string) {
    this.file = file;
  }

  /** Reads and validates the file, TLS files included; throws a ConfigError naming every problem. */
  static load(file: string): WebConfigSource {
    const source = new WebConfigSource(file);
    source.tlsPolicy();
    return source;
  }

  /** The file's current content, validated. Throws a ConfigError when it cannot be read or is invalid. */
  spec(): WebConfigSpec {
    let text: string;
    try {
      text = readFileSync(this.file, 'utf8');
    } catch (err) {
      throw new ConfigError([`--web.config.file ${this.file}: cannot read it (${(err as Error).message})`]);
    }
    if (text !== this.#text || !this.#spec) {
      this.#spec = parseWebConfig(text, this.file);
      this.#text = text;
    }
    return this.#spec;
  }

  /** The current TLS policy, or undefined when the file configures no TLS. Throws like spec(). */
  tlsPolicy(): TlsPolicy | undefined {
    const { tls } = this.spec();
    if (!tls) return undefined;
    this.#tls = buildTlsPolicy(tls, `--web.config.file ${this.file}`, this.#tls);
    return this.#tls;
  }
}
