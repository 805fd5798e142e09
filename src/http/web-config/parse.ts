import { dirname, isAbsolute, join } from 'node:path';
import { formatIssues, parseYaml } from '../../config/load.js';
import { ConfigError } from '../../errors.js';
import { CLIENT_AUTH_TYPES, HTTP2_REQUIRED_CIPHERS, TLS_VERSIONS, type ClientAuth, type TlsVersionName } from './names.js';
import { webConfigSchema, type TlsServerConfig } from './schema.js';

/** PEM text given inline, or a file (already joined with the config file's folder). */
export type PemSource = { readonly file: string } | { readonly inline: string };

export interface TlsSpec {
  readonly cert: PemSource;
  readonly key: PemSource;
  readonly clientCa: PemSource | undefined;
  readonly clientAuth: ClientAuth;
  /** Undefined: any client certificate that passes `clientAuth`; else one of its SANs must be listed. */
  readonly allowedSans: readonly string[] | undefined;
  readonly minVersion: TlsVersionName;
  readonly maxVersion: TlsVersionName;
  /** Go names; undefined: OpenSSL's defaults. */
  readonly cipherSuites: readonly string[] | undefined;
  readonly preferServerCipherSuites: boolean;
  readonly curves: readonly string[] | undefined;
}

/** A web config file, validated: what the server runs on (TLS files are read separately, per connection). */
export interface WebConfigSpec {
  readonly file: string;
  /** Undefined when the file configures no TLS: plain HTTP. */
  readonly tls: TlsSpec | undefined;
  readonly http2: boolean;
  readonly headers: Readonly<Record<string, string>>;
  /** User name → bcrypt hash. Empty: no basic auth. */
  readonly users: ReadonlyMap<string, string>;
  readonly rateLimit: { readonly intervalMs: number; readonly burst: number } | undefined;
}

/** Go's `config_util.JoinDir`: relative paths are relative to the config file's folder. */
function joinDir(dir: string, path: string): string {
  return path === '' || isAbsolute(path) ? path : join(dir, path);
}

function pem(inline: string | undefined, file: string | undefined, dir: string): PemSource | undefined {
  if (file) return { file: joinDir(dir, file) };
  return inline ? { inline } : undefined;
}

/** The toolkit's `TLSConfig.IsEnabled`: any of these set means TLS, and then it must be complete. */
function tlsEnabled(t: TlsServerConfig): boolean {
  return Boolean(t.cert_file || t.cert || t.key_file || t.key || t.client_ca_file || t.client_ca || t.client_auth_type);
}

/** The toolkit's `ConfigToTLSConfig` rules that need no file, with its error texts; `problems` gets each one. */
function tlsSpec(t: TlsServerConfig, http2: boolean, dir: string, problems: string[]): TlsSpec | undefined {
  if (!tlsEnabled(t)) return undefined;
  const cert = pem(t.cert, t.cert_file, dir);
  const key = pem(t.key, t.key_file, dir);
  const clientCa = pem(t.client_ca, t.client_ca_file, dir);
  const at = 'tls_server_config';
  if (!cert) problems.push(`${at}: missing one of cert or cert_file`);
  if (!key) problems.push(`${at}: missing one of key or key_file`);
  const authName = t.client_auth_type ?? '';
  const clientAuth = Object.hasOwn(CLIENT_AUTH_TYPES, authName) ? CLIENT_AUTH_TYPES[authName as keyof typeof CLIENT_AUTH_TYPES] : undefined;
  if (!clientAuth)
    problems.push(
      `${at}.client_auth_type: invalid ClientAuth: ${authName} (expected one of ${Object.keys(CLIENT_AUTH_TYPES).filter(Boolean).join(', ')})`,
    );
  if (clientCa && clientAuth === 'NoClientCert')
    problems.push(
      `${at}: client CA's have been configured without a Client Auth Policy (set client_auth_type, e.g. RequireAndVerifyClientCert)`,
    );
  const minVersion = t.min_version ?? 'TLS12';
  const maxVersion = t.max_version ?? 'TLS13';
  if (Object.keys(TLS_VERSIONS).indexOf(minVersion) > Object.keys(TLS_VERSIONS).indexOf(maxVersion))
    problems.push(`${at}: no supported versions satisfy min_version ${minVersion} and max_version ${maxVersion}`);
  const cipherSuites = t.cipher_suites?.length ? t.cipher_suites : undefined;
  if (http2 && cipherSuites && minVersion !== 'TLS13' && !cipherSuites.some((c) => HTTP2_REQUIRED_CIPHERS.includes(c)))
    problems.push(
      `${at}.cipher_suites: TLSConfig.CipherSuites is missing an HTTP/2-required AES_128_GCM_SHA256 cipher (need at least one of ${HTTP2_REQUIRED_CIPHERS.join(' or ')}; or set http_server_config.http2: false)`,
    );
  if (!cert || !key || !clientAuth) return undefined;
  return {
    cert,
    key,
    clientCa,
    clientAuth,
    allowedSans: t.client_allowed_sans ?? undefined,
    minVersion,
    maxVersion,
    cipherSuites,
    preferServerCipherSuites: t.prefer_server_cipher_suites ?? true,
    curves: t.curve_preferences?.length ? t.curve_preferences : undefined,
  };
}

/**
 * Parses and validates the text of the web config file `file`, with the toolkit's rules and
 * verdicts; throws a ConfigError listing every problem, each naming the file and the field.
 */
export function parseWebConfig(text: string, file: string): WebConfigSpec {
  const label = `--web.config.file ${file}`;
  const result = webConfigSchema.safeParse(parseYaml(text, label) ?? {}, { reportInput: true });
  if (!result.success) throw new ConfigError(formatIssues(result.error.issues).map((p) => `${label}: ${p}`));
  const doc = result.data;
  const http2 = doc.http_server_config?.http2 ?? true;
  const problems: string[] = [];
  const tls = doc.tls_server_config ? tlsSpec(doc.tls_server_config, http2, dirname(file), problems) : undefined;
  if (problems.length) throw new ConfigError(problems.map((p) => `${label}: ${p}`));
  const rate = doc.rate_limit;
  return {
    file,
    tls,
    http2,
    headers: doc.http_server_config?.headers ?? {},
    users: new Map(Object.entries(doc.basic_auth_users ?? {})),
    rateLimit: rate && rate.interval > 0 ? { intervalMs: rate.interval, burst: rate.burst ?? 0 } : undefined,
  };
}
