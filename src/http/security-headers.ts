import { createHash } from 'node:crypto';
import type { RequestHandler } from 'express';
import helmet from 'helmet';
import { LANDING_STYLE } from './landing.js';

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
 */
export function securityHeaders(styles?: readonly string[]): RequestHandler {
  return helmet({
    contentSecurityPolicy: { useDefaults: false, directives: contentSecurityPolicy(styles) },
    strictTransportSecurity: false,
    xFrameOptions: { action: 'deny' },
    referrerPolicy: { policy: 'no-referrer' },
  });
}
