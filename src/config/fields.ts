import { z } from 'zod';
import { DURATION_PATTERN, parseDuration } from './duration.js';

/** Field types shared by the config's sections. */

export const duration = (min: number, max: number) =>
  z
    .string({ error: 'expected a duration like 500ms, 10s, 30m, 6h' })
    // `meta` carries the rules that refinements cannot show to z.toJSONSchema (scripts/values-schema.ts).
    .meta({ pattern: DURATION_PATTERN, description: 'A duration such as 500ms, 10s, 30m, 6h or 1d.' })
    .transform((text, ctx) => {
      const ms = parseDuration(text);
      if (ms === undefined) {
        ctx.addIssue({ code: 'custom', message: `expected a duration like 500ms, 10s, 30m, 6h, got ${JSON.stringify(text)}` });
        return z.NEVER;
      }
      if (ms < min || ms > max) {
        ctx.addIssue({ code: 'custom', message: `${text} is out of range (${min} ms .. ${max} ms)` });
        return z.NEVER;
      }
      return ms;
    });

export const intRange = (min: number, max: number) => {
  const message = `expected an integer from ${min} to ${max}`;
  return z.number().int(message).min(min, message).max(max, message);
};

export const httpUrl = z
  .string()
  .refine((s) => {
    try {
      return ['http:', 'https:'].includes(new URL(s).protocol);
    } catch {
      return false;
    }
  }, 'expected an http:// or https:// URL')
  .meta({ pattern: '^https?://' });
