import { readFileSync } from 'node:fs';
import type { RequestListener, Server } from 'node:http';
import { request as httpsRequest, type RequestOptions } from 'node:https';
import { request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { once } from 'node:events';
import { listen, WebConfigSource } from '../../../src/http/web-config/index.js';
import { memoryLogger } from '../../../src/log.js';
import { Redactor } from '../../../src/redact.js';

export const FIXTURES = fileURLToPath(new URL('../../fixtures/web-config/', import.meta.url));
export const fixture = (name: string): string => readFileSync(join(FIXTURES, name), 'utf8');

/** The toolkit's test users (web/handler_test.go): alice's password is alice123; bob's hash has cost 18 (seconds). */
export const ALICE = { user: 'alice', password: 'alice123' };

export interface Answer {
  readonly status: number;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: string;
}

/** The app behind the web config: says which path it served. */
export const echoApp: RequestListener = (req, res) => {
  res.setHeader('Content-Type', 'text/plain');
  res.end(`served ${req.url ?? ''}`);
};

export interface Running {
  readonly server: Server;
  readonly port: number;
  readonly lines: string[];
  close(): Promise<void>;
}

/** Serves echoApp on 127.0.0.1 with the web config file `file`. */
export async function serve(file: string): Promise<Running> {
  const { logger, lines } = memoryLogger(new Redactor());
  const server = listen(echoApp, { host: '127.0.0.1', port: 0 }, WebConfigSource.load(file), logger);
  await once(server, 'listening');
  return {
    server,
    port: (server.address() as AddressInfo).port,
    lines,
    close: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

export function basic(user: string, password: string): string {
  return `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
}

/**
 * One request on a NEW connection (agent: false), over TLS when `tls` is given. Rejects on a
 * refused handshake. The server certificate is not verified: OpenSSL 3 refuses the toolkit's test
 * CA ("Any Extended Key Usage" on a CA), which Go accepts; the end-to-end test verifies its own.
 */
export function get(port: number, path: string, options: { auth?: string; tls?: RequestOptions } = {}): Promise<Answer> {
  const headers = options.auth ? { Authorization: options.auth } : {};
  const base = { host: '127.0.0.1', port, path, headers, agent: false as const };
  return new Promise((resolve, reject) => {
    const req = options.tls ? httpsRequest({ ...base, rejectUnauthorized: false, ...options.tls }) : httpRequest(base);
    req.on('response', (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.setTimeout(10_000, () => req.destroy(new Error('timeout')));
    req.end();
  });
}

/** A client certificate from the fixtures (`client_selfsigned`, `client2_selfsigned`). */
export function clientCert(name: string): RequestOptions {
  return { cert: fixture(`${name}.pem`), key: fixture(`${name}.key`) };
}
