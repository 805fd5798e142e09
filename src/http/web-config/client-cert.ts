import type { TLSSocket } from 'node:tls';
import type { ClientAuth } from './names.js';
import type { TlsSpec } from './parse.js';

/** The server options for `client_auth_type`: whether to ask for a certificate, and whether OpenSSL must verify it. */
export function clientAuthFlags(clientAuth: ClientAuth): { requestCert: boolean; rejectUnauthorized: boolean } {
  return { requestCert: clientAuth !== 'NoClientCert', rejectUnauthorized: clientAuth === 'RequireAndVerifyClientCert' };
}

/** Go's `ip.String()` form ("::1"), whatever form OpenSSL printed ("0:0:0:0:0:0:0:1"). */
function canonicalIp(ip: string): string {
  if (!ip.includes(':')) return ip;
  try {
    return new URL(`http://[${ip}]/`).hostname.slice(1, -1);
  } catch {
    return ip;
  }
}

/** DNS names, IP addresses, e-mail addresses and URIs of a certificate's subjectAltName, as Go lists them. */
export function subjectAltNames(subjectAltName: string | undefined): string[] {
  if (!subjectAltName) return [];
  return subjectAltName.split(/,\s*/).flatMap((entry) => {
    const m = /^(DNS|IP Address|email|URI):(.*)$/.exec(entry.trim());
    if (!m) return [];
    const value = (m[2] as string).replace(/^"(.*)"$/, '$1');
    return [m[1] === 'IP Address' ? canonicalIp(value) : value];
  });
}

/**
 * Why a TLS client must be refused under `spec`, or undefined. OpenSSL enforces
 * RequireAndVerifyClientCert itself; the other types are checked here, after the handshake, since
 * Node's server has no hook to fail it (Go fails the handshake; here the connection is closed
 * before any request is read). client_allowed_sans applies whenever a certificate is asked for.
 */
export function clientCertProblem(socket: TLSSocket, spec: TlsSpec): string | undefined {
  const { clientAuth, allowedSans } = spec;
  if (clientAuth === 'NoClientCert') return undefined;
  const cert = socket.getPeerX509Certificate();
  const verifies = clientAuth === 'VerifyClientCertIfGiven' || clientAuth === 'RequireAndVerifyClientCert';
  if (!cert) {
    const required = clientAuth === 'RequireAnyClientCert' || clientAuth === 'RequireAndVerifyClientCert' || allowedSans !== undefined;
    return required ? 'no client certificate' : undefined;
  }
  if (verifies && !socket.authorized) return `client certificate not verified: ${String(socket.authorizationError ?? 'unknown')}`;
  if (allowedSans && !subjectAltNames(cert.subjectAltName).some((san) => allowedSans.includes(san)))
    return `could not find allowed SANs in client cert, found: ${subjectAltNames(cert.subjectAltName).join(', ') || 'none'}`;
  return undefined;
}
