import express from 'express';
import type { RequestListener } from 'node:http';
import { renderLanding, type LandingInfo } from './landing.js';
import { parseStatusQuery, StatusQueryError } from './status/query.js';
import { securityHeaders } from './security-headers.js';
import { serveScrape, withMetricsFastPath, type ScrapeSource } from './metrics-endpoint.js';

export interface AppOptions {
  /** The body of a scrape in the negotiated format and encoding. */
  readonly metrics: ScrapeSource;
  /** `--web.telemetry-path`. @default '/metrics' */
  readonly telemetryPath: string;
  /** True once the config is valid and the store is open. */
  readonly ready: () => boolean;
  readonly landing: () => LandingInfo;
  /** Extra routes (the JSON API), mounted before the 404 handler. */
  readonly routes?: express.Router;
}

/** The exporter's HTTP surface: metrics, landing page, health and readiness; 404 elsewhere. */
export function createApp(options: AppOptions): RequestListener {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  // <, > and & in JSON as \u003c…: a value echoed in an error can never be read as markup.
  app.set('json escape', true);
  const headers = securityHeaders();
  app.use(headers);

  // Reached for spellings of the path the fast path leaves to express (see withMetricsFastPath).
  app.get(options.telemetryPath, (req, res, next) => {
    serveScrape(req, res, options.metrics).catch(next);
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
  return withMetricsFastPath(app, options.telemetryPath, options.metrics, headers);
}
