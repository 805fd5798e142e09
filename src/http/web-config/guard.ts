import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import type { WebConfigSpec } from './parse.js';
import { BasicAuthVerifier } from './basic-auth.js';
import { TokenBucket } from './rate-limit.js';
import type { WebConfigSource } from './source.js';

function answer(res: ServerResponse, status: number, text: string): void {
  res.statusCode = status;
  res.setHeader('Content-Type', 'text/plain; charset=utf-8');
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.end(`${text}\n`);
}

/**
 * Wraps the whole app, so every path is protected (metrics, landing page, health, API), as the
 * toolkit's handler wraps the whole mux. For each request the file is read again (cached while it
 * does not change): headers first (401s carry them too), then basic auth when users are listed.
 * A file that has become invalid answers 500 to everything: never served without protection.
 */
export function protect(app: RequestListener, source: WebConfigSource, onError: (err: unknown) => void): RequestListener {
  const verifier = new BasicAuthVerifier();
  // Built once from the file at start, like the toolkit's limiter.
  const start = source.spec().rateLimit;
  const limiter = start ? new TokenBucket(start.intervalMs, start.burst) : undefined;

  const guard = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    let spec: WebConfigSpec;
    try {
      spec = source.spec();
    } catch (err) {
      onError(err);
      answer(res, 500, 'Internal Server Error');
      return;
    }
    if (limiter && !limiter.allow()) return answer(res, 429, 'Too Many Requests');
    for (const [name, value] of Object.entries(spec.headers)) res.setHeader(name, value);
    if (spec.users.size === 0 || (await verifier.verify(spec.users, req.headers.authorization))) {
      app(req, res);
      return;
    }
    res.setHeader('WWW-Authenticate', 'Basic');
    answer(res, 401, 'Unauthorized');
  };
  return (req, res) => {
    guard(req, res).catch((err: unknown) => {
      onError(err);
      if (!res.headersSent) answer(res, 500, 'Internal Server Error');
    });
  };
}
