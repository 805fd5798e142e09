import { z } from 'zod';
import { duration, httpUrl } from './fields.js';

/**
 * `discovery:` — accounts found beside the static list, in the manner of Prometheus'
 * `file_sd_configs` and `http_sd_configs`: files (globs) holding a YAML or JSON list of accounts,
 * and a URL answering a JSON list, both re-read every `refreshInterval` (files also when they change).
 */
export const discoverySchema = z
  .strictObject({
    /** Globs of files, each a YAML or JSON list of accounts in the shape of `accounts`. */
    files: z.array(z.string().min(1, 'expected a file path or glob')).default([]),
    http: z
      .strictObject({
        /** GET → a JSON list of accounts. */
        url: httpUrl,
        /** Sent as `Authorization: Bearer …`, re-read before each request (a rotated Secret works). */
        bearerTokenFile: z.string().min(1).optional(),
        /** @default 10s */
        timeout: duration(100, 300_000).default(10_000),
      })
      .optional(),
    /** @default 5m */
    refreshInterval: duration(1_000, 86_400_000).default(300_000),
  })
  .refine((d) => d.files.length > 0 || d.http !== undefined, 'expected files, http or both');

export type DiscoveryConfig = z.output<typeof discoverySchema>;
