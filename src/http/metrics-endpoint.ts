import accepts from 'accepts';
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import type { ScrapeBody, ScrapeRequest } from '../metrics/exposition/scrape-body.js';

const TEXT_OFFER = 'text/plain; version=0.0.4';
const OPENMETRICS_OFFER = 'application/openmetrics-text; version=1.0.0';

/** A connect-style middleware that only sets headers (helmet): run before a fast-path answer too. */
export type HeaderMiddleware = (req: IncomingMessage, res: ServerResponse, next: (err?: unknown) => void) => void;

/** The body of a scrape in the negotiated format and encoding. */
export type ScrapeSource = (request: ScrapeRequest) => Promise<ScrapeBody>;

// Scrapers send the same two headers every time (Prometheus, curl, a dashboard): negotiating once
// per distinct pair spares the header parsing of every scrape. Bounded, as the headers are the
// client's to choose.
const NEGOTIATED_MAX = 64;
const negotiated = new Map<string, ScrapeRequest>();

/**
 * The format and encoding a scrape gets, as express' `req.accepts`/`req.acceptsEncodings` (the
 * `accepts` package underneath both) choose them. Prometheus asks for OpenMetrics first; curl and
 * browsers get the text format. The offers carry their version so that Prometheus'
 * `application/openmetrics-text;version=1.0.0` matches. gzip when the scraper accepts it, as
 * client_golang's promhttp handler does; Prometheus always sends `Accept-Encoding: gzip`.
 */
export function negotiate(req: IncomingMessage): ScrapeRequest {
  const key = `${req.headers.accept ?? ''}\n${req.headers['accept-encoding'] ?? ''}`;
  let request = negotiated.get(key);
  if (request === undefined) {
    const accept = accepts(req);
    request = {
      openMetrics: accept.types([TEXT_OFFER, OPENMETRICS_OFFER]) === OPENMETRICS_OFFER,
      gzip: accept.encodings(['gzip', 'identity']) === 'gzip',
    };
    if (negotiated.size >= NEGOTIATED_MAX) negotiated.clear();
    negotiated.set(key, request);
  }
  return request;
}

/**
 * Writes a scrape body: the prepared Buffers themselves (shared by concurrent scrapes, never
 * copied per response), in one writev, with Content-Length and `Vary: Accept-Encoding`.
 */
export function writeScrape(res: ServerResponse, body: ScrapeBody, gzip: boolean): void {
  res.statusCode = 200;
  res.setHeader('Content-Type', body.contentType);
  res.setHeader('Content-Length', body.length);
  res.setHeader('Vary', 'Accept-Encoding');
  if (gzip) res.setHeader('Content-Encoding', 'gzip');
  const [only, ...more] = body.chunks;
  if (only !== undefined && more.length === 0) {
    res.end(only);
    return;
  }
  res.cork();
  for (const chunk of body.chunks) res.write(chunk);
  res.uncork();
  res.end();
}

/** Negotiates and serves one scrape; rejects if the body could not be made (nothing written then). */
export async function serveScrape(req: IncomingMessage, res: ServerResponse, source: ScrapeSource): Promise<void> {
  const request = negotiate(req);
  writeScrape(res, await source(request), request.gzip);
}

/** The path of a request target (`/metrics?x=1` → `/metrics`). */
function pathOf(url: string | undefined): string | undefined {
  if (url === undefined) return undefined;
  const q = url.indexOf('?');
  return q === -1 ? url : url.slice(0, q);
}

/**
 * Answers `GET|HEAD <telemetryPath>` before `app` (express) sees the request: with thousands of
 * accounts the body is prepared and the scrape is only negotiation and a write, so express'
 * routing and its per-request set-up were most of a scrape's cost. Everything else, and any
 * spelling of the path the fast path does not take verbatim (`/Metrics`, `/metrics/`), goes to
 * `app`, which serves the same route the same way. It sits inside the web config's guard (TLS,
 * basic auth, headers), which wraps whatever listener the server is given. A failure answers as
 * the app's error handler does: 500 without detail.
 */
export function withMetricsFastPath(
  app: RequestListener,
  telemetryPath: string,
  source: ScrapeSource,
  headers: HeaderMiddleware = (_req, _res, next) => next(),
): RequestListener {
  return (req, res) => {
    if ((req.method !== 'GET' && req.method !== 'HEAD') || pathOf(req.url) !== telemetryPath) {
      app(req, res);
      return;
    }
    // The app's own header middleware (security headers) runs first here too: the same answer.
    headers(req, res, (err?: unknown) => {
      if (err !== undefined) app(req, res);
      else serveScrape(req, res, source).catch(() => fail(res));
    });
  };
}

function fail(res: ServerResponse): void {
  if (res.headersSent) res.destroy();
  else {
    res.statusCode = 500;
    res.setHeader('Content-Type', 'text/plain; charset=utf-8');
    res.end('Internal error\n');
  }
}
