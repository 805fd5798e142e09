import { createServer as createHttpServer, type RequestListener, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import type { Logger } from 'winston';
import { ConfigError, errorMessage } from '../../errors.js';
import { clientAuthFlags, clientCertProblem } from './client-cert.js';
import { protect } from './guard.js';
import type { WebConfigSource } from './source.js';
import type { TlsPolicy } from './tls-options.js';

export interface ListenAddress {
  /** Undefined: every interface. */
  readonly host: string | undefined;
  readonly port: number;
}

/** Logs a web config error when it differs from the last one, not once per request or connection. */
function errorReporter(log: Logger): (err: unknown) => void {
  let last: string | undefined;
  return (err) => {
    const message = errorMessage(err);
    if (message === last) return;
    last = message;
    log.error('web config: refusing requests until the file is valid again', { error: message });
  };
}

/** What Node cannot do that the toolkit does, said once at start (also in the README). */
function logLimits(policy: TlsPolicy, http2: boolean, log: Logger): void {
  if (http2) log.info('web config: http2 is set, but this exporter serves HTTP/1.1 only over TLS (clients negotiate it by ALPN)');
  if (policy.spec.minVersion === 'TLS10' || policy.spec.minVersion === 'TLS11')
    log.warn('web config: min_version below TLS12 has no effect here: OpenSSL 3 at its default security level refuses TLS 1.0 and 1.1', {
      min_version: policy.spec.minVersion,
    });
}

function tlsServer(
  handler: RequestListener,
  source: WebConfigSource,
  initial: TlsPolicy,
  log: Logger,
  report: (e: unknown) => void,
): Server {
  let applied = initial;
  const server = createHttpsServer({ ...initial.options, ...clientAuthFlags(initial.spec.clientAuth) }, handler);
  // Node's TLS server has no per-handshake config hook that works without SNI (Prometheus sends
  // none to an IP target), so the policy is re-read as each TCP connection arrives, before Node
  // wraps it in TLS. requestCert and rejectUnauthorized are the server's own fields, which Node
  // reads for every new connection.
  const clientAuthFields = server as unknown as { requestCert: boolean; rejectUnauthorized: boolean };
  server.prependListener('connection', (socket: Socket) => {
    try {
      const policy = source.tlsPolicy();
      if (!policy)
        throw new ConfigError([`--web.config.file ${source.file}: TLS was enabled at start and can not be switched off while running`]);
      if (policy !== applied) {
        server.setSecureContext(policy.options);
        Object.assign(clientAuthFields, clientAuthFlags(policy.spec.clientAuth));
        applied = policy;
        log.info('web config: TLS settings changed; new connections use them');
      }
    } catch (err) {
      report(err);
      socket.destroy();
    }
  });
  server.prependListener('secureConnection', (socket: TLSSocket) => {
    const problem = clientCertProblem(socket, applied.spec);
    if (!problem) return;
    log.warn('TLS client refused', { remote: socket.remoteAddress, reason: problem });
    socket.destroy();
  });
  server.on('tlsClientError', (err: Error, socket: TLSSocket) => {
    log.debug('TLS handshake failed', { remote: socket.remoteAddress, error: err.message });
  });
  return server;
}

/**
 * Serves `app` on `address` as `--web.config.file` says: plain HTTP without one; with one, every
 * request goes through its headers and basic auth, and over TLS when it configures TLS. The file
 * was validated by WebConfigSource.load(); it is re-read while running. Returns the server,
 * listening or about to (wait for 'listening' or 'error').
 */
export function listen(app: RequestListener, address: ListenAddress, webConfig: WebConfigSource | undefined, log: Logger): Server {
  let server: Server;
  if (!webConfig) {
    server = createHttpServer(app);
  } else {
    const report = errorReporter(log);
    const handler = protect(app, webConfig, report);
    const policy = webConfig.tlsPolicy();
    const spec = webConfig.spec();
    log.info(policy ? 'TLS is enabled' : 'TLS is disabled', { basic_auth_users: spec.users.size, file: webConfig.file });
    if (policy) logLimits(policy, spec.http2, log);
    server = policy ? tlsServer(handler, webConfig, policy, log, report) : createHttpServer(handler);
  }
  return address.host === undefined ? server.listen(address.port) : server.listen(address.port, address.host);
}
