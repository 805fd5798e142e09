import http, { type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RawResponse {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  /** The raw header lines, in the order sent (name, value, name, value, …). */
  readonly rawHeaders: readonly string[];
  readonly body: Buffer;
}

/** Prometheus' own Accept header (scrape config defaults). */
export const PROMETHEUS_ACCEPT =
  'application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1';

/**
 * A request with exactly these headers, the body as sent (supertest's client adds
 * `Accept-Encoding: gzip, deflate` and decodes, which would hide what the exporter sends).
 */
export async function rawRequest(server: Server, path: string, headers: Record<string, string>, method = 'GET'): Promise<RawResponse> {
  const { port } = server.address() as AddressInfo;
  return new Promise((resolve, reject) => {
    http
      .request({ host: '127.0.0.1', port, path, headers, method }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, rawHeaders: res.rawHeaders, body: Buffer.concat(chunks) }),
        );
        res.on('error', reject);
      })
      .on('error', reject)
      .end();
  });
}

export const rawGet = (server: Server, path: string, headers: Record<string, string>): Promise<RawResponse> =>
  rawRequest(server, path, headers);
