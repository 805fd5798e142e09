/**
 * A real HTTP server that answers like api.weixin.qq.com for the token and interface-summary
 * APIs. Tests and the exporter's `--demo` mode run it in-process on 127.0.0.1; its clock decides
 * every date, and tests steer it with faults, per-account settings and token expiry.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { systemClock, type Clock } from '../clock.js';
import { errorMessage } from '../errors.js';
import { AccountBook } from './accounts.js';
import { errcodeAnswer, htmlAnswer, httpAnswer, jsonAnswer, rawAnswer, truncatedAnswer, WECHAT_JSON, type Answer } from './answers.js';
import type { SimContext } from './context.js';
import { FaultQueue } from './faults.js';
import { QuotaBook } from './quota.js';
import { parseBody } from './request-body.js';
import { routeRequest, type RoutedRequest } from './routes.js';
import { TokenBook } from './tokens.js';
import type { AccountSettings, Fault, FaultOptions, SimulatorAccount, SimulatorCall, SimulatorOptions } from './types.js';

/** Request bodies of these APIs are tiny; anything bigger is refused by closing the connection. */
const MAX_BODY_BYTES = 1 << 20;

type MutableCall = { -readonly [K in keyof SimulatorCall]: SimulatorCall[K] };

export class WechatSimulator {
  /** Every request received, in order of arrival; `status` is filled in when the answer is sent. */
  readonly calls: SimulatorCall[] = [];
  readonly #clock: Clock;
  readonly #accounts = new AccountBook();
  readonly #tokens: TokenBook;
  readonly #quota = new QuotaBook();
  readonly #faults = new FaultQueue();
  /** Requests held open by a `timeout` fault or waiting out a `slow` one; ended by close(). */
  readonly #pending = new Set<ServerResponse>();
  #server: Server | undefined;
  #url: string | undefined;

  constructor(options: SimulatorOptions) {
    this.#clock = options.clock ?? systemClock;
    this.#tokens = new TokenBook(options.tokenTtlSeconds ?? 7200);
    for (const account of options.accounts) this.#accounts.add(account);
  }

  /** Starts listening; resolves the base URL, e.g. `http://127.0.0.1:40123`. */
  async listen(port = 0, host = '127.0.0.1'): Promise<string> {
    if (this.#server) throw new Error(`simulator: already listening on ${this.#url ?? '?'}`);
    const server = createServer((req, res) => void this.#handle(req, res));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    const address = server.address() as AddressInfo;
    this.#server = server;
    this.#url = `http://${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}`;
    return this.#url;
  }

  get url(): string {
    if (this.#url === undefined) throw new Error('simulator: not listening; call listen() first');
    return this.#url;
  }

  /** Stops the server, ending requests held by faults and idle keep-alive connections. */
  async close(): Promise<void> {
    const server = this.#server;
    if (!server) return;
    this.#server = undefined;
    this.#url = undefined;
    for (const res of this.#pending) res.destroy();
    this.#pending.clear();
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeAllConnections();
    await closed;
  }

  callCount(filter: Partial<Pick<SimulatorCall, 'api' | 'appid'>> = {}): number {
    return this.calls.filter(
      (c) => (filter.api === undefined || c.api === filter.api) && (filter.appid === undefined || c.appid === filter.appid),
    ).length;
  }

  resetCalls(): void {
    this.calls.length = 0;
  }

  /** Queues a fault for the next matching call(s); faults are taken oldest first. */
  inject(fault: Fault, options?: FaultOptions): void {
    this.#faults.add(fault, options);
  }

  clearFaults(): void {
    this.#faults.clear();
  }

  configure(appid: string, settings: Partial<AccountSettings>): void {
    this.#accounts.configure(appid, settings);
  }

  /** Ends the lifetime of the current tokens (of one account): the next data call gets 42001. */
  expireTokens(appid?: string): void {
    this.#tokens.expire(this.#clock.now(), appid);
  }

  /** The appsecret is reset: token requests with the old one get 40125 from now on (issued tokens live on). */
  rotateSecret(appid: string, secret: string): void {
    this.#accounts.rotateSecret(appid, secret);
  }

  addAccount(account: SimulatorAccount): void {
    this.#accounts.add(account);
  }

  #context(): SimContext {
    return { accounts: this.#accounts, tokens: this.#tokens, quota: this.#quota, now: this.#clock.now() };
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const target = req.url ?? '/';
    // A forward proxy passes on the absolute form it received: `GET http://host/path`.
    const viaProxy = /^[a-z][a-z0-9+.-]*:\/\//i.test(target);
    const call: MutableCall = { api: 'unknown', status: 0, at: this.#clock.now(), ...(viaProxy ? { viaProxy } : {}) };
    this.calls.push(call);
    try {
      const raw = await readBody(req);
      if (raw === undefined) {
        req.socket.destroy();
        return;
      }
      const url = new URL(target, 'http://simulator.invalid');
      const routed = routeRequest(req.method ?? 'GET', url, parseBody(raw), this.#tokens);
      record(call, routed);
      const fault = routed.api === 'unknown' ? undefined : this.#faults.take(routed.api, routed.appid);
      if (fault) this.#answerWithFault(fault, routed, req, res, call);
      else this.#send(res, call, routed.answer(this.#context()));
    } catch (err) {
      // A simulator bug must show up as a failed call in the test, not crash the process.
      this.#send(res, call, errcodeAnswer(-1, `simulator error: ${errorMessage(err)}`, 500));
    }
  }

  #answerWithFault(fault: Fault, routed: RoutedRequest, req: IncomingMessage, res: ServerResponse, call: MutableCall): void {
    switch (fault.kind) {
      case 'errcode':
        return this.#send(res, call, errcodeAnswer(fault.errcode, fault.errmsg));
      case 'http':
        return this.#send(res, call, httpAnswer(fault.status, fault.body));
      case 'html':
        return this.#send(res, call, htmlAnswer(200));
      case 'truncated':
        return this.#send(res, call, truncatedAnswer(routed.answer(this.#context())));
      case 'body':
        return this.#send(res, call, rawAnswer(fault.body, fault.contentType ?? WECHAT_JSON));
      case 'empty':
        return this.#send(res, call, jsonAnswer({ list: [] }));
      case 'reset':
        req.socket.resetAndDestroy();
        return;
      case 'timeout':
        this.#hold(res);
        return;
      case 'slow': {
        this.#hold(res);
        const timer = setTimeout(() => {
          this.#pending.delete(res);
          this.#send(res, call, routed.answer(this.#context()));
        }, fault.delayMs);
        res.once('close', () => clearTimeout(timer));
        return;
      }
    }
  }

  /** Keeps a request open until it is answered, the client leaves, or close() runs. */
  #hold(res: ServerResponse): void {
    this.#pending.add(res);
    res.once('close', () => this.#pending.delete(res));
  }

  #send(res: ServerResponse, call: MutableCall, answer: Answer): void {
    if (res.destroyed || res.headersSent) return;
    call.status = answer.status;
    if (answer.errcode !== undefined) call.errcode = answer.errcode;
    res.writeHead(answer.status, {
      'Content-Type': answer.contentType,
      'Content-Length': Buffer.byteLength(answer.body),
    });
    res.end(answer.body);
  }
}

function record(call: MutableCall, routed: RoutedRequest): void {
  call.api = routed.api;
  if (routed.appid !== undefined) call.appid = routed.appid;
  if (routed.beginDate !== undefined) call.beginDate = routed.beginDate;
  if (routed.endDate !== undefined) call.endDate = routed.endDate;
  if (routed.forceRefresh !== undefined) call.forceRefresh = routed.forceRefresh;
}

/** The whole body as UTF-8; undefined when it is larger than any real request could be. */
function readBody(req: IncomingMessage): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) resolve(undefined);
      else chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}
