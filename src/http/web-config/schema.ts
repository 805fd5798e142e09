import { z } from 'zod';
import { bcryptHashProblem } from './bcrypt-hash.js';
import { CIPHER_SUITES, CURVES, EXTRA_HEADERS, TLS_VERSIONS, type TlsVersionName } from './names.js';

/**
 * Go's YAML decoder turns any scalar into a string field (`X-XSS-Protection: 1` is the string "1")
 * and an empty value into "": the same here, so that a file means the same in both.
 */
const goString = z.union([z.string(), z.number(), z.boolean(), z.null()]).transform((v) => (v === null ? '' : String(v)));

function oneOf<T extends string>(names: Readonly<Record<string, unknown>>, what: string) {
  return goString.check((ctx) => {
    if (!Object.hasOwn(names, ctx.value)) ctx.issues.push({ code: 'custom', message: `unknown ${what}: ${ctx.value}`, input: ctx.value });
  }) as unknown as z.ZodType<T, unknown>;
}

const GO_DURATION_UNITS: Readonly<Record<string, number>> = { ns: 1e-6, us: 1e-3, µs: 1e-3, ms: 1, s: 1e3, m: 6e4, h: 3.6e6 };

/** Milliseconds of a Go duration (`1s`, `1m30s`, `0`), or undefined. A bare number is nanoseconds, as yaml.v2 reads it. */
export function parseGoDuration(value: string | number): number | undefined {
  if (typeof value === 'number') return Number.isInteger(value) && value >= 0 ? value / 1e6 : undefined;
  if (value === '0') return 0;
  if (!/^(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+$/.test(value)) return undefined;
  let ms = 0;
  for (const m of value.matchAll(/(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/g)) ms += Number(m[1]) * (GO_DURATION_UNITS[m[2] as string] as number);
  return ms;
}

const tlsServerConfigSchema = z.strictObject({
  cert: goString.optional(),
  key: goString.optional(),
  client_ca: goString.optional(),
  cert_file: goString.optional(),
  key_file: goString.optional(),
  client_auth_type: goString.optional(),
  client_ca_file: goString.optional(),
  client_allowed_sans: z.array(goString).nullish(),
  min_version: oneOf<TlsVersionName>(TLS_VERSIONS, 'TLS version').nullish(),
  max_version: oneOf<TlsVersionName>(TLS_VERSIONS, 'TLS version').nullish(),
  cipher_suites: z.array(oneOf<string>(CIPHER_SUITES, 'cipher')).nullish(),
  prefer_server_cipher_suites: z.boolean().nullish(),
  curve_preferences: z.array(oneOf<string>(CURVES, 'curve')).nullish(),
});

const headersSchema = z.record(z.string(), goString).check((ctx) => {
  for (const [name, value] of Object.entries(ctx.value)) {
    const allowed = EXTRA_HEADERS[name];
    if (allowed === undefined) {
      ctx.issues.push({ code: 'custom', path: [name], message: `HTTP header "${name}" can not be configured`, input: name });
    } else if (allowed !== null && !allowed.includes(value)) {
      const expected = `[${allowed.map((a) => `"${a}"`).join(' ')}]`;
      ctx.issues.push({
        code: 'custom',
        path: [name],
        message: `invalid value for ${name}. Expected one of: ${expected}, but got: "${value}"`,
        input: value,
      });
    }
  }
});

const usersSchema = z.record(z.string(), goString).check((ctx) => {
  for (const [user, hash] of Object.entries(ctx.value)) {
    const problem = bcryptHashProblem(hash);
    // The hash is a secret too: the message names the user, never the value.
    if (problem) ctx.issues.push({ code: 'custom', path: [user], message: problem, input: user });
  }
});

const rateLimitSchema = z.strictObject({
  interval: z
    .union([z.string(), z.number()])
    .nullish()
    .transform((v, ctx) => {
      const ms = v === null || v === undefined ? 0 : parseGoDuration(v);
      if (ms === undefined)
        ctx.issues.push({ code: 'custom', message: `invalid duration ${JSON.stringify(v)} (e.g. 1s, 100ms, 1m30s)`, input: v });
      return ms ?? 0;
    }),
  burst: z.int().min(0).nullish(),
});

/** exporter-toolkit's web config file, as strict as its `yaml.UnmarshalStrict`: unknown keys are errors. */
export const webConfigSchema = z.strictObject({
  tls_server_config: tlsServerConfigSchema.nullish(),
  http_server_config: z.strictObject({ http2: z.boolean().nullish(), headers: headersSchema.nullish() }).nullish(),
  basic_auth_users: usersSchema.nullish(),
  rate_limit: rateLimitSchema.nullish(),
});

export type WebConfigDocument = z.output<typeof webConfigSchema>;
export type TlsServerConfig = z.output<typeof tlsServerConfigSchema>;
