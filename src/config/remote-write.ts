import { accessSync, constants } from 'node:fs';
import { z } from 'zod';
import { duration, httpUrl } from './fields.js';

/**
 * Headers the exporter sets itself: the protocol's (remote-write 1.0 spec) and the ones its
 * authentication writes. Prometheus refuses the same ones in its `remote_write.headers`.
 */
const RESERVED_HEADERS = ['authorization', 'content-encoding', 'content-type', 'user-agent', 'x-prometheus-remote-write-version', 'host'];

const file = z.string().min(1, 'expected a file path');

/** Credentials never sit in the URL: they would end up in logs and labels. */
const targetUrl = httpUrl
  .refine((s) => {
    try {
      const u = new URL(s);
      return u.username === '' && u.password === '';
    } catch {
      return true;
    }
  }, 'credentials in the URL are not allowed; use basicAuth (username, passwordFile) or bearerTokenFile')
  // The same rule for JSON Schema (the chart's values.schema.json is generated from this schema).
  .meta({ pattern: '^https?://[^@/]+(/.*)?$' });

export const remoteWriteTarget = z
  .strictObject({
    url: targetUrl,
    /** Per request. */
    timeout: duration(100, 600_000).default(30_000),
    headers: z.record(z.string(), z.string()).default({}),
    basicAuth: z.strictObject({ username: z.string().min(1), passwordFile: file }).optional(),
    bearerTokenFile: file.optional(),
    tlsConfig: z
      .strictObject({
        caFile: file.optional(),
        insecureSkipVerify: z.boolean().default(false),
      })
      .optional(),
  })
  .superRefine((t, ctx) => {
    if (t.basicAuth && t.bearerTokenFile)
      ctx.addIssue({ code: 'custom', path: ['bearerTokenFile'], message: 'set only one of basicAuth, bearerTokenFile' });
    for (const name of Object.keys(t.headers)) {
      if (RESERVED_HEADERS.includes(name.toLowerCase()))
        ctx.addIssue({ code: 'custom', path: ['headers', name], message: 'set by the exporter itself; cannot be overridden' });
    }
  });

export const remoteWriteSchema = z
  .array(remoteWriteTarget)
  .default([])
  .superRefine((targets, ctx) => {
    const seen = new Map<string, number>();
    targets.forEach((t, i) => {
      const first = seen.get(t.url);
      if (first !== undefined) ctx.addIssue({ code: 'custom', path: [i, 'url'], message: `duplicate url (also remoteWrite[${first}])` });
      else seen.set(t.url, i);
    });
  });

export type RemoteWriteConfig = z.output<typeof remoteWriteTarget>;

/** The files a target reads at each push, checked once at start so `check-config` catches a typo. */
export function remoteWriteFileProblems(targets: readonly RemoteWriteConfig[], canRead = readable): string[] {
  const problems: string[] = [];
  targets.forEach((t, i) => {
    const files: [string, string | undefined][] = [
      ['basicAuth.passwordFile', t.basicAuth?.passwordFile],
      ['bearerTokenFile', t.bearerTokenFile],
      ['tlsConfig.caFile', t.tlsConfig?.caFile],
    ];
    for (const [field, path] of files) {
      const code = path === undefined ? undefined : canRead(path);
      if (code !== undefined) problems.push(`remoteWrite[${i}].${field}: cannot read ${path} (${code})`);
    }
  });
  return problems;
}

function readable(path: string): string | undefined {
  try {
    accessSync(path, constants.R_OK);
    return undefined;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code ?? 'error';
  }
}
