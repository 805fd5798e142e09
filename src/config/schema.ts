import { Cron } from 'croner';
import { z } from 'zod';
import { discoverySchema } from './discovery-schema.js';
import { accountLabels } from './account-labels.js';
import { duration, httpUrl, intRange } from './fields.js';
import { remoteWriteSchema } from './remote-write.js';

export const TOKEN_SOURCES = ['stable', 'classic', 'file', 'url'] as const;
/** The ways to give an account's appsecret: exactly one, for the token sources that need it. */
export const SECRET_SOURCES = ['secretEnv', 'secretFile', 'secret'] as const;
export const SECRET_TOKEN_SOURCES: readonly (typeof TOKEN_SOURCES)[number][] = ['stable', 'classic'];
/** The field each other token source needs, and is the only one to use. */
export const TOKEN_SOURCE_FIELDS = { file: 'tokenFile', url: 'tokenUrl' } as const;
export const DEFAULT_BASE_URLS = ['https://api.weixin.qq.com', 'https://api2.weixin.qq.com'] as const;
export const SCHEDULE_TIMEZONE = 'Asia/Shanghai';

const cronExpression = z.string().refine((expr) => {
  try {
    new Cron(expr, { timezone: SCHEDULE_TIMEZONE, paused: true }).stop();
    return true;
  } catch {
    return false;
  }
}, 'expected a cron expression like "15 8 * * *" (minute hour day month weekday)');

const accountFields = z.strictObject({
  /** The `account` label. */
  name: z
    .string()
    .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/, 'expected 1-64 letters, digits, "_", "." or "-", starting with a letter or digit'),
  appid: z.string().regex(/^wx[0-9a-f]{16}$/, 'expected an appid like wx0123456789abcdef ("wx" and 16 hex digits)'),
  secretEnv: z
    .string()
    .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'expected an environment variable name')
    .optional(),
  secretFile: z.string().min(1).optional(),
  secret: z.string().min(1).optional(),
  tokenSource: z.enum(TOKEN_SOURCES).default('stable'),
  tokenFile: z.string().min(1).optional(),
  tokenUrl: httpUrl.optional(),
  /** Allow `force_refresh: true` on stable_token after WeChat rejected the token (20 a day at most). */
  forceRefresh: z.boolean().default(false),
  /** The account's own labels (owner, team, customer): on wechat_exporter_account_info, for routing and filtering. */
  labels: accountLabels,
});

/** One account, as in `accounts:` and in each discovered list. */
export const accountSchema = accountFields
  .superRefine((a, ctx) => {
    const secrets = SECRET_SOURCES.filter((k) => a[k] !== undefined);
    const needsSecret = SECRET_TOKEN_SOURCES.includes(a.tokenSource);
    if (needsSecret && secrets.length === 0) {
      ctx.addIssue({
        code: 'custom',
        path: ['secretEnv'],
        message: `tokenSource ${a.tokenSource} needs the appsecret: set one of secretEnv, secretFile, secret`,
      });
    }
    if (secrets.length > 1) {
      ctx.addIssue({
        code: 'custom',
        path: [secrets[1] as string],
        message: `set only one of secretEnv, secretFile, secret (found ${secrets.join(', ')})`,
      });
    }
    for (const [source, field] of Object.entries(TOKEN_SOURCE_FIELDS)) {
      if (a.tokenSource === source && !a[field])
        ctx.addIssue({ code: 'custom', path: [field], message: `required when tokenSource is ${source}` });
      if (a.tokenSource !== source && a[field])
        ctx.addIssue({ code: 'custom', path: [field], message: `only used when tokenSource is ${source}` });
    }
  })
  .transform(tokenConfigOf);

/** How an account gets its access token; each source carries exactly what it needs. */
export type TokenConfig =
  | { readonly tokenSource: 'stable'; readonly forceRefresh: boolean }
  | { readonly tokenSource: 'classic' }
  | { readonly tokenSource: 'file'; readonly tokenFile: string }
  | { readonly tokenSource: 'url'; readonly tokenUrl: string };

/**
 * The checked account as a discriminated union on `tokenSource` (runs only once the checks above
 * passed, so the fields a source needs are there; z.NEVER is unreachable).
 */
function tokenConfigOf(a: z.output<typeof accountFields>) {
  const { tokenSource, tokenFile, tokenUrl, forceRefresh, ...rest } = a;
  const token = ((): TokenConfig | undefined => {
    switch (tokenSource) {
      case 'stable':
        return { tokenSource, forceRefresh };
      case 'classic':
        return { tokenSource };
      case 'file':
        return tokenFile === undefined ? undefined : { tokenSource, tokenFile };
      case 'url':
        return tokenUrl === undefined ? undefined : { tokenSource, tokenUrl };
    }
  })();
  return token === undefined ? z.NEVER : { ...rest, ...token };
}

export const configSchema = z
  .strictObject({
    wechat: z
      .strictObject({
        baseUrls: z
          .array(httpUrl)
          .min(1, 'at least one base URL')
          .default([...DEFAULT_BASE_URLS]),
        timeout: duration(100, 300_000).default(10_000),
        proxy: httpUrl.optional(),
        retry: z
          .strictObject({
            maxAttempts: intRange(1, 10).default(4),
            maxElapsed: duration(0, 3_600_000).default(60_000),
          })
          .prefault({}),
      })
      // prefault: an absent section is parsed as {}, so each default above is written only once.
      .prefault({}),
    schedule: z
      .strictObject({
        cron: cronExpression.default('15 8 * * *'),
        retryInterval: duration(60_000, 86_400_000).default(1_800_000),
        lookbackDays: intRange(1, 90).default(7),
        concurrency: intRange(1, 64).default(4),
      })
      .prefault({}),
    metrics: z
      .strictObject({
        /** false: only the daily gauges on /metrics (hourly rows stay in the store, the JSON API and the backfill). */
        hourly: z.boolean().default(true),
      })
      .prefault({}),
    accounts: z
      .array(accountSchema)
      .default([])
      .superRefine((accounts, ctx) => {
        for (const key of ['name', 'appid'] as const) {
          const seen = new Map<string, number>();
          accounts.forEach((a, i) => {
            const first = seen.get(a[key]);
            if (first !== undefined)
              ctx.addIssue({
                code: 'custom',
                path: [i, key],
                message: `duplicate ${key} ${JSON.stringify(a[key])} (also accounts[${first}])`,
              });
            else seen.set(a[key], i);
          });
        }
      }),
    remoteWrite: remoteWriteSchema,
    discovery: discoverySchema.optional(),
  })
  // With discovery the static list may be empty: a platform may list every account through it.
  .refine((c) => c.accounts.length > 0 || c.discovery !== undefined, { path: ['accounts'], message: 'at least one account' });

export type Config = z.output<typeof configSchema>;
export type AccountConfig = Config['accounts'][number];
