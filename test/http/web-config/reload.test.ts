import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { tempDir } from '../../helpers/exporter-harness.js';
import { ALICE, basic, clientCert, FIXTURES, fixture, get, serve, type Running } from './helpers.js';

/** The toolkit's hashes of alice123 and carol123 (web/testdata/web_config_users.good.yml). */
const HASHES = {
  alice: '$2y$12$1DpfPeqF9HzHJt.EWswy1exHluGfbhnn3yXhR7Xes6m3WJqFg0Wby',
  carol: '$2y$10$qRTBuFoULoYNA7AQ/F3ck.trZBPyjV64.oA4ZsSBCIWvXuvQlQTuu',
};
const TLS_FILES = { cert_file: join(FIXTURES, 'server.crt'), key_file: join(FIXTURES, 'server.key') };

async function refused(request: Promise<unknown>): Promise<void> {
  await assert.rejects(request);
}

describe('web config: re-read while running', function () {
  this.timeout(30_000);
  let tmp: ReturnType<typeof tempDir>;
  let file: string;
  let running: Running | undefined;
  const write = (doc: unknown): void => writeFileSync(file, typeof doc === 'string' ? doc : stringify(doc));

  beforeEach(() => {
    tmp = tempDir('wx-web-config-');
    file = join(tmp.dir, 'web-config.yml');
  });
  afterEach(async () => {
    await running?.close();
    running = undefined;
    tmp.remove();
  });

  it('applies a changed users list to the next request', async () => {
    write({ basic_auth_users: { alice: HASHES.alice } });
    running = await serve(file);
    const { port } = running;
    assert.equal((await get(port, '/', { auth: basic(ALICE.user, ALICE.password) })).status, 200);
    assert.equal((await get(port, '/', { auth: basic('carol', 'carol123') })).status, 401);

    write({ basic_auth_users: { carol: HASHES.carol } });
    assert.equal((await get(port, '/', { auth: basic('carol', 'carol123') })).status, 200);
    // alice's verdict is cached, but for a users list that no longer has her.
    assert.equal((await get(port, '/', { auth: basic(ALICE.user, ALICE.password) })).status, 401);
  });

  it('answers 500 to everything while the file is invalid, never serving unprotected, then recovers', async () => {
    write({ basic_auth_users: { alice: HASHES.alice } });
    running = await serve(file);
    const { port, lines } = running;
    write('basic_auth_users: [oops');
    for (const auth of [undefined, basic(ALICE.user, ALICE.password)])
      assert.equal((await get(port, '/metrics', auth ? { auth } : {})).status, 500);
    assert.equal(
      lines.filter((l) => l.includes('refusing requests until the file is valid again')).length,
      1,
      'logged once, not per request',
    );

    write({ basic_auth_users: { alice: 'not-a-hash' } });
    assert.equal((await get(port, '/')).status, 500);
    assert.ok(
      lines.some((l) => l.includes('basic_auth_users.alice: hashedSecret too short')),
      lines.join('\n'),
    );

    write({ basic_auth_users: { alice: HASHES.alice } });
    assert.equal((await get(port, '/')).status, 401);
    assert.equal((await get(port, '/', { auth: basic(ALICE.user, ALICE.password) })).status, 200);
  });

  it('applies a raised min_version to the next connection', async () => {
    write({ tls_server_config: { ...TLS_FILES, min_version: 'TLS12' } });
    running = await serve(file);
    const { port } = running;
    const tls12 = { maxVersion: 'TLSv1.2' as const };
    assert.equal((await get(port, '/', { tls: tls12 })).status, 200);

    write({ tls_server_config: { ...TLS_FILES, min_version: 'TLS13' } });
    await refused(get(port, '/', { tls: tls12 }));
    assert.equal((await get(port, '/', { tls: { minVersion: 'TLSv1.3' } })).status, 200);
    assert.ok(running.lines.some((l) => l.includes('TLS settings changed')));
  });

  it('says that min_version TLS10 cannot be honoured (OpenSSL 3 refuses TLS 1.0), and still serves TLS 1.2', async () => {
    write({ tls_server_config: { ...TLS_FILES, min_version: 'TLS10' } });
    running = await serve(file);
    const { port, lines } = running;
    assert.ok(
      lines.some((l) => l.includes('min_version below TLS12 has no effect here')),
      lines.join('\n'),
    );
    await refused(get(port, '/', { tls: { minVersion: 'TLSv1', maxVersion: 'TLSv1' } }));
    assert.equal((await get(port, '/', { tls: { maxVersion: 'TLSv1.2' } })).status, 200);
  });

  it('applies a new client_auth_type to the next connection', async () => {
    write({ tls_server_config: TLS_FILES });
    running = await serve(file);
    const { port } = running;
    assert.equal((await get(port, '/', { tls: {} })).status, 200);

    write({
      tls_server_config: {
        ...TLS_FILES,
        client_auth_type: 'RequireAndVerifyClientCert',
        client_ca_file: join(FIXTURES, 'client_selfsigned.pem'),
      },
    });
    await refused(get(port, '/', { tls: {} }));
    assert.equal((await get(port, '/', { tls: clientCert('client_selfsigned') })).status, 200);

    write({ tls_server_config: TLS_FILES });
    assert.equal((await get(port, '/', { tls: {} })).status, 200);
  });

  it('uses a replaced certificate from the next connection', async () => {
    const cert = join(tmp.dir, 'server.crt');
    const key = join(tmp.dir, 'server.key');
    writeFileSync(cert, fixture('server.crt'));
    writeFileSync(key, fixture('server.key'));
    write({ tls_server_config: { cert_file: 'server.crt', key_file: 'server.key' } });
    running = await serve(file);
    const { port } = running;
    const before = await peerFingerprint(port);

    // Any other valid pair will do: client2's self-signed one.
    writeFileSync(cert, fixture('client2_selfsigned.pem'));
    writeFileSync(key, fixture('client2_selfsigned.key'));
    const after = await peerFingerprint(port);
    assert.notEqual(after, before);
  });

  it('refuses TLS connections while the file is invalid, and when TLS is removed from it', async () => {
    write({ tls_server_config: TLS_FILES });
    running = await serve(file);
    const { port, lines } = running;
    write({ tls_server_config: { ...TLS_FILES, min_version: 'TLS9' } });
    await refused(get(port, '/', { tls: {} }));
    write({});
    await refused(get(port, '/', { tls: {} }));
    await refused(get(port, '/'));
    assert.ok(
      lines.some((l) => l.includes('can not be switched off while running')),
      lines.join('\n'),
    );
    write({ tls_server_config: TLS_FILES });
    assert.equal((await get(port, '/', { tls: {} })).status, 200);
  });
});

/** SHA-256 fingerprint of the certificate the server presents on a new connection. */
async function peerFingerprint(port: number): Promise<string> {
  const { connect } = await import('node:tls');
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port, rejectUnauthorized: false }, () => {
      resolve(socket.getPeerCertificate().fingerprint256);
      socket.destroy();
    });
    socket.on('error', reject);
  });
}
