import express from 'express';
import type { ReloadResult } from '../reload/reloader.js';

/**
 * `POST /-/reload` (and PUT, as Prometheus accepts both): only with `--web.enable-lifecycle`,
 * otherwise 403 like Prometheus, since anyone who reaches the port could otherwise make the
 * exporter re-read its files. A failed reload answers 500 with its problems (no secret is ever in them).
 */
export function lifecycleRouter(options: { readonly enabled: boolean; readonly reload: () => Promise<ReloadResult> }): express.Router {
  const router = express.Router();
  router.all('/-/reload', async (req, res, next) => {
    if (req.method !== 'POST' && req.method !== 'PUT') {
      res.status(405).set('Allow', 'POST, PUT').type('text/plain').send('Only POST or PUT requests allowed\n');
      return;
    }
    if (!options.enabled) {
      res.status(403).type('text/plain').send('Lifecycle API is not enabled.\n');
      return;
    }
    try {
      const result = await options.reload();
      if (result.ok) res.type('text/plain').send('Reloaded\n');
      else
        res
          .status(500)
          .type('text/plain')
          .send(`failed to reload config:\n${result.problems.map((p) => `  - ${p}`).join('\n')}\n`);
    } catch (err) {
      next(err);
    }
  });
  return router;
}
