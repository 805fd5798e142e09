import { createHash } from 'node:crypto';
import helmet from 'helmet';
import { LANDING_STYLE } from './landing.js';
import type { HeaderMiddleware } from './metrics-endpoint.js';

/** `'sha256-…'`, the CSP source that allows exactly this inline `<style>` text. */
export function styleHash(css: string): string {
  return `'sha256-${createHash('sha256').update(css, 'utf8').digest('base64')}'`;
}

/**
 * Every inline style sheet the exporter's pages carry. A page that adds one lists it here, so
 * that the policy below stays the only place that says what a page may load.
 */
export const INLINE_STYLES: readonly string[] = [LANDING_STYLE];

/**
 * The Content-Security-Policy of every answer: nothing may load or run but the inline style
 * sheets listed above (by hash, never 'unsafe-inline'); no script at all, no framing, no base
 * or form target elsewhere. Inline SVG needs nothing more (it is markup, not a fetch).
 */
export function contentSecurityPolicy(styles: readonly string[] = INLINE_STYLES): Record<string, string[]> {
  return {
    'default-src': ["'none'"],
    'style-src': styles.map(styleHash),
    'img-src': ["'self'", 'data:'],
    'base-uri': ["'none'"],
    'form-action': ["'self'"],
    'frame-ancestors': ["'none'"],
  };
}

/**
 * helmet, set for an exporter: the strict CSP above, `nosniff`, `X-Frame-Options: DENY`,
 * `Referrer-Policy: no-referrer`. No HSTS: the exporter usually serves plain HTTP, and TLS (with
 * any HSTS an operator wants) is the web config's business.
 *
 * These are defaults: a header the response already carries is kept. The web config's guard sets
 * the operator's `http_server_config.headers` before the app runs, and, as with exporter-toolkit
 * (whose handler sets them and lets the exporter's own handler add the rest), the operator's value
 * wins: a web config shared with node_exporter gives the same headers here.
 */
export function securityHeaders(styles?: readonly string[]): HeaderMiddleware {
  const helmetHeaders: HeaderMiddleware = helmet({
    contentSecurityPolicy: { useDefaults: false, directives: contentSecurityPolicy(styles) },
    strictTransportSecurity: false,
    xFrameOptions: { action: 'deny' },
    referrerPolicy: { policy: 'no-referrer' },
  });
  return (req, res, next) => {
    // A handful of headers at most (the web config allows five): copying them costs nothing.
    const preset = res.getHeaders();
    helmetHeaders(req, res, (err?: unknown) => {
      for (const [name, value] of Object.entries(preset)) if (value !== undefined) res.setHeader(name, value);
      next(err);
    });
  };
}
