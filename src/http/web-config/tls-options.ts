import { createHash, createPrivateKey, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createSecureContext, type SecureContextOptions } from 'node:tls';
import { ConfigError } from '../../errors.js';
import { CIPHER_SUITES, CURVES, TLS_VERSIONS } from './names.js';
import type { PemSource, TlsSpec } from './parse.js';

/** What a TLS connection is served with: the secure context's options and the client-certificate rules. */
export interface TlsPolicy {
  readonly spec: TlsSpec;
  readonly options: SecureContextOptions;
  /** Changes whenever the policy or a certificate, key or CA file does: the context is rebuilt only then. */
  readonly fingerprint: string;
}

function readPem(source: PemSource, field: string, problems: string[]): string | undefined {
  if ('inline' in source) return source.inline;
  try {
    return readFileSync(source.file, 'utf8');
  } catch (err) {
    problems.push(`failed to read ${field} (${source.file}): ${(err as Error).message}`);
    return undefined;
  }
}

/** OpenSSL's cipher list for the TLS 1.2 suites named; TLS 1.3 names are dropped, as Go ignores them. */
function opensslCiphers(names: readonly string[] | undefined): string | undefined {
  const list = (names ?? []).map((n) => CIPHER_SUITES[n]).filter((c): c is string => typeof c === 'string');
  return list.length ? list.join(':') : undefined;
}

/**
 * Reads the certificate, key and client CA (files are read anew on every call, so a rotated
 * certificate is used by the next connection, as the toolkit's `GetCertificate` does) and checks
 * that OpenSSL accepts them together (unless nothing changed since `previous`). Throws a ConfigError naming each problem; never a secret.
 */
export function buildTlsPolicy(spec: TlsSpec, label: string, previous?: TlsPolicy): TlsPolicy {
  const problems: string[] = [];
  const cert = readPem(spec.cert, 'cert_file', problems);
  const key = readPem(spec.key, 'key_file', problems);
  const ca = spec.clientCa && readPem(spec.clientCa, 'client_ca_file', problems);
  // Go would accept an empty pool and then refuse every client; saying so at once is kinder.
  if (ca !== undefined && !ca.includes('-----BEGIN CERTIFICATE-----'))
    problems.push('the client CA (client_ca_file or client_ca) holds no PEM certificate');
  if (problems.length || cert === undefined || key === undefined) throw new ConfigError(problems.map((p) => `${label}: ${p}`));

  const options: SecureContextOptions = {
    cert,
    key,
    ...(ca ? { ca } : {}),
    minVersion: TLS_VERSIONS[spec.minVersion],
    maxVersion: TLS_VERSIONS[spec.maxVersion],
    honorCipherOrder: spec.preferServerCipherSuites,
    ...(opensslCiphers(spec.cipherSuites) ? { ciphers: opensslCiphers(spec.cipherSuites) } : {}),
    ...(spec.curves ? { ecdhCurve: spec.curves.map((c) => CURVES[c]).join(':') } : {}),
  };
  const fingerprint = createHash('sha256')
    .update(JSON.stringify({ ...spec, cert, key, ca }))
    .digest('hex');
  // Unchanged since the last connection: OpenSSL has checked these already.
  if (previous?.fingerprint === fingerprint) return previous;
  try {
    // OpenSSL silently drops a key that does not match the certificate (every handshake would then
    // fail), so the pair is checked as Go's tls.X509KeyPair checks it.
    if (!new X509Certificate(cert).checkPrivateKey(createPrivateKey(key))) throw new Error('private key does not match public key');
    createSecureContext(options);
  } catch (err) {
    // OpenSSL's reason ("key values mismatch", "no start line") without the PEM text.
    throw new ConfigError([`${label}: failed to load X509KeyPair: ${(err as Error).message}`]);
  }
  return { spec, options, fingerprint };
}
