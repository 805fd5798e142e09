import { readFileSync } from 'node:fs';
import { Agent, request } from 'undici';
import type { RemoteWriteConfig } from '../config/remote-write.js';
import type { Redactor } from '../redact.js';
import type { PushOutcome } from './transition.js';

/** Enough of a receiver's error body to say what it refused, short enough for a log line and a page. */
const MESSAGE_LIMIT = 300;

/** The URL as shown in logs, metrics and the page: never user info (the config refuses it anyway). */
export function urlLabel(url: string): string {
  try {
    const u = new URL(url);
    u.username = '';
    u.password = '';
    return u.toString();
  } catch {
    return url;
  }
}

export interface ClientOptions {
  /** `User-Agent`, e.g. `wechat-interface-exporter/1.2.3`. */
  readonly userAgent: string;
  /** Every password and token read is registered here, so no message can show it. */
  readonly redactor: Redactor;
  /** @default fs.readFileSync(path, 'utf8') */
  readonly readFile?: (path: string) => string;
}

/**
 * One remote-write target: POSTs snappy-compressed WriteRequests with the headers the 1.0 spec
 * requires, the target's own headers and its credentials. Password and token files are read at
 * each push, so a rotated secret is picked up without a restart (as Prometheus does).
 */
export class RemoteWriteClient {
  readonly url: string;
  readonly #config: RemoteWriteConfig;
  readonly #options: ClientOptions;
  readonly #agent: Agent;
  readonly #readFile: (path: string) => string;

  constructor(config: RemoteWriteConfig, options: ClientOptions) {
    this.url = config.url;
    this.#config = config;
    this.#options = options;
    const tls = config.tlsConfig;
    const readFile = (this.#readFile = options.readFile ?? ((p: string) => readFileSync(p, 'utf8')));
    this.#agent = new Agent({
      connect: {
        timeout: config.timeout,
        ...(tls?.caFile ? { ca: readFile(tls.caFile) } : {}),
        rejectUnauthorized: !(tls?.insecureSkipVerify ?? false),
      },
      headersTimeout: config.timeout,
      bodyTimeout: config.timeout,
    });
  }

  #secret(path: string): string {
    const value = this.#readFile(path).trim();
    this.#options.redactor.replace(`remote write file ${path}`, value);
    return value;
  }

  #headers(): Record<string, string> {
    const headers: Record<string, string> = {
      ...this.#config.headers,
      'Content-Encoding': 'snappy',
      'Content-Type': 'application/x-protobuf',
      'X-Prometheus-Remote-Write-Version': '0.1.0',
      'User-Agent': this.#options.userAgent,
    };
    const { basicAuth, bearerTokenFile } = this.#config;
    if (basicAuth) {
      const password = this.#secret(basicAuth.passwordFile);
      headers['Authorization'] = `Basic ${Buffer.from(`${basicAuth.username}:${password}`).toString('base64')}`;
    } else if (bearerTokenFile) {
      headers['Authorization'] = `Bearer ${this.#secret(bearerTokenFile)}`;
    }
    return headers;
  }

  /** One POST of `body`; never rejects: every failure is an outcome (status or `network`). */
  async push(body: Buffer, signal?: AbortSignal): Promise<PushOutcome> {
    const redact = (s: string): string => this.#options.redactor.redact(s).replace(/\s+/g, ' ').trim().slice(0, MESSAGE_LIMIT);
    let headers: Record<string, string>;
    try {
      headers = this.#headers();
    } catch (err) {
      // A credentials file gone missing: nothing was sent; retried, so fixing the file is enough.
      return { status: 'network', message: `cannot read credentials: ${(err as NodeJS.ErrnoException).code ?? 'error'}` };
    }
    try {
      const res = await request(this.url, { method: 'POST', headers, body, dispatcher: this.#agent, signal });
      const text = await res.body.text();
      return { status: res.statusCode, message: redact(text) || `HTTP ${res.statusCode}` };
    } catch (err) {
      const e = err as Error & { code?: string; cause?: { code?: string } };
      const code = e.code ?? e.cause?.code;
      return { status: 'network', message: redact(`${code ? `${code}: ` : ''}${e.message}`) };
    }
  }

  async close(): Promise<void> {
    await this.#agent.close();
  }
}
