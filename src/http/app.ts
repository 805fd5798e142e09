import express, { type Express } from 'express';
import type { ScrapeBody, ScrapeRequest } from '../metrics/exposition/scrape-body.js';
import { renderLanding, type LandingInfo } from './landing.js';
import { parseStatusQuery, StatusQueryError } from './status/query.js';
import { securityHeaders } from './security-headers.js';

const TEXT_OFFER = 'text/plain; version=0.0.4';
const OPENMETRICS_OFFER = 'application/openmetrics-text; version=1.0.0';

export interface AppOptions {
  /** The body of a scrape in the negotiated format and encoding. */
  readonly metrics: (request: ScrapeRequest) => Promise<ScrapeBody>;
  /** `--web.telemetry-path`. @default '/metrics' */
  readonly telemetryPath: string;
  /** True once the config is valid and the store is open. */
  readonly ready: () => boolean;
  readonly landing: () => LandingInfo;
  /** Extra routes (the JSON API), mounted before the 404 handler. */
  readonly routes?: express.Router;
}

/** The exporter's HTTP surface: metrics, landing page, health and readiness; 404 elsewhere. */
export function createApp(options: AppOptions): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  // <, > and & in JSON as \u003c…: a value echoed in an error can never be read as markup.
  app.set('json escape', true);
  app.use(securityHeaders());

  app.get(options.telemetryPath, async (req, res, next) => {
    try {
      // Prometheus asks for OpenMetrics first; curl and browsers get the text format. The offers
      // carry their version so that Prometheus' `application/openmetrics-text;version=1.0.0` matches.
      const openMetrics = req.accepts([TEXT_OFFER, OPENMETRICS_OFFER]) === OPENMETRICS_OFFER;
      // gzip when the scraper accepts it, as client_golang's promhttp handler does; Prometheus
      // always sends `Accept-Encoding: gzip`.
      const gzip = req.acceptsEncodings(['gzip', 'identity']) === 'gzip';
      const body = await options.metrics({ openMetrics, gzip });
      res.set({ 'Content-Type': body.contentType, 'Content-Length': String(body.length), Vary: 'Accept-Encoding' });
      if (gzip) res.set('Content-Encoding', 'gzip');
      res.cork();
      for (const chunk of body.chunks) res.write(chunk);
      res.uncork();
      res.end();
    } catch (err) {
      next(err);
    }
  });
  app.get('/-/healthy', (_req, res) => {
    res.type('text/plain').send('Healthy\n');
  });
  app.get('/-/ready', (_req, res) => {
    const ready = options.ready();
    res
      .status(ready ? 200 : 503)
      .type('text/plain')
      .send(ready ? 'Ready\n' : 'Not ready\n');
  });
  app.get('/', (req, res) => {
    let query;
    try {
      query = parseStatusQuery(req.query);
    } catch (err) {
      if (!(err instanceof StatusQueryError)) throw err;
      res.status(400).type('text/plain').send(`${err.message}\n`);
      return;
    }
    res.type('html').send(renderLanding(options.landing(), query));
  });
  if (options.routes) app.use(options.routes);
  app.use((_req, res) => {
    res.status(404).type('text/plain').send('Not found\n');
  });
  // A failing handler answers 500 without a stack trace or any internal detail.
  app.use((_err: unknown, _req: express.Request, res: express.Response, _next: express.NextFunction) => {
    res.status(500).type('text/plain').send('Internal error\n');
  });
  return app;
}
