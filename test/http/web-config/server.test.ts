import assert from 'node:assert/strict';
import { join } from 'node:path';
import { ALICE, basic, clientCert, FIXTURES, get, serve, type Running } from './helpers.js';

/** A refused TLS client: the handshake fails, or the server closes the connection before answering. */
async function refused(request: Promise<unknown>): Promise<string> {
  try {
    await request;
  } catch (err) {
    return (err as Error).message;
  }
  assert.fail('the request was answered');
}

describe('web config: serving with the toolkit test files', function () {
  this.timeout(20_000);
  let running: Running | undefined;
  const start = async (file: string): Promise<Running> => (running = await serve(join(FIXTURES, file)));
  afterEach(async () => {
    await running?.close();
    running = undefined;
  });

  describe('basic auth (web_config_users_noTLS.good.yml)', () => {
    it('serves the right user and password', async () => {
      const { port } = await start('web_config_users_noTLS.good.yml');
      const res = await get(port, '/metrics', { auth: basic(ALICE.user, ALICE.password) });
      assert.equal(res.status, 200);
      assert.equal(res.body, 'served /metrics');
    });

    for (const [what, auth] of [
      ['missing credentials', undefined],
      ['a wrong password', basic(ALICE.user, 'alice1234')],
      ['an unknown user', basic('mallory', ALICE.password)],
      ['a user name with the hash glued on', basic('alice$2y$12$1DpfPeqF9HzHJt.EWswy1exHluGfbhnn3yXhR7Xes6m3WJqFg0Wby', 'fakepassword')],
      ['a malformed header', 'Basic !!!'],
      ['a bearer token', 'Bearer alice123'],
    ] as const) {
      it(`answers 401 with WWW-Authenticate: Basic to ${what}`, async () => {
        const { port } = await start('web_config_users_noTLS.good.yml');
        const res = await get(port, '/metrics', auth ? { auth } : {});
        assert.equal(res.status, 401);
        assert.equal(res.headers['www-authenticate'], 'Basic');
        assert.equal(res.body, 'Unauthorized\n');
      });
    }

    it('protects every path, unknown ones included', async () => {
      const { port } = await start('web_config_users_noTLS.good.yml');
      for (const path of ['/', '/metrics', '/-/healthy', '/-/ready', '/api/v1/summary', '/no/such/path'])
        assert.equal((await get(port, path)).status, 401, path);
    });

    it('caches a verdict: the second right login costs no bcrypt comparison', async () => {
      const { port } = await start('web_config_users_noTLS.good.yml');
      const auth = basic(ALICE.user, ALICE.password);
      let t = performance.now();
      assert.equal((await get(port, '/', { auth })).status, 200);
      const first = performance.now() - t;
      t = performance.now();
      assert.equal((await get(port, '/', { auth })).status, 200);
      const second = performance.now() - t;
      // alice's hash has cost 12: a comparison takes ~200 ms in bcryptjs; a cached verdict, none.
      assert.ok(first > 50, `first login took ${first.toFixed(1)} ms`);
      assert.ok(second < first / 3, `second login ${second.toFixed(1)} ms, first ${first.toFixed(1)} ms`);
    });
  });

  it('adds the configured headers to every answer, 401s included (web_config_headers.good.yml)', async () => {
    const { port } = await start('web_config_headers.good.yml');
    const res = await get(port, '/');
    assert.equal(res.status, 200);
    assert.equal(res.headers['x-frame-options'], 'deny');
    assert.equal(res.headers['strict-transport-security'], 'max-age=31536000; includeSubDomains');
    assert.equal(res.headers['x-content-type-options'], 'nosniff');
    assert.equal(res.headers['x-xss-protection'], '1');
    assert.equal(res.headers['content-security-policy'], "default-src 'self' *.test.example.net");
  });

  it('limits the request rate (web_config_rate_limiter_one_second.yaml: burst 0 refuses all)', async () => {
    const { port } = await start('web_config_rate_limiter_one_second.yaml');
    assert.equal((await get(port, '/')).status, 429);
    await running?.close();
    const other = await start('web_config_rate_limiter_nonblocking.yaml');
    for (let i = 0; i < 5; i++) assert.equal((await get(other.port, '/')).status, 200);
  });

  describe('TLS', () => {
    it('serves HTTPS with cert and key files (web_config_noAuth.good.yml), and refuses plain HTTP', async () => {
      const { port } = await start('web_config_noAuth.good.yml');
      assert.equal((await get(port, '/', { tls: {} })).status, 200);
      assert.match(await refused(get(port, '/')), /socket hang up|ECONNRESET|parse/i);
    });

    it('serves HTTPS with the cert and key inline (web_config_noAuth_tlsInline.good.yml)', async () => {
      const { port } = await start('web_config_noAuth_tlsInline.good.yml');
      assert.equal((await get(port, '/', { tls: {} })).status, 200);
    });

    it('serves HTTPS with basic auth (web_config_users.good.yml)', async () => {
      const { port } = await start('web_config_users.good.yml');
      assert.equal((await get(port, '/', { tls: {}, auth: basic(ALICE.user, ALICE.password) })).status, 200);
      assert.equal((await get(port, '/', { tls: {}, auth: basic(ALICE.user, 'nope') })).status, 401);
    });

    it('refuses a TLS 1.1 client (default min_version TLS12)', async () => {
      const { port } = await start('web_config_noAuth.good.yml');
      await refused(get(port, '/', { tls: { maxVersion: 'TLSv1.1', minVersion: 'TLSv1.1' } }));
    });

    it('offers only the listed TLS 1.2 ciphers (web_config_noAuth_someCiphers.good.yml)', async () => {
      const { port } = await start('web_config_noAuth_someCiphers.good.yml');
      assert.equal((await get(port, '/', { tls: { ciphers: 'ECDHE-RSA-AES128-GCM-SHA256' } })).status, 200);
      assert.match(await refused(get(port, '/', { tls: { ciphers: 'ECDHE-RSA-AES256-SHA' } })), /handshake failure|no shared cipher/i);
    });

    it('offers only the listed curves (web_config_noAuth_someCurves.good.yml)', async () => {
      const { port } = await start('web_config_noAuth_someCurves.good.yml');
      assert.equal((await get(port, '/', { tls: { ecdhCurve: 'P-521' } })).status, 200);
      await refused(get(port, '/', { tls: { ecdhCurve: 'P-384' } }));
    });

    it('serves every cipher and curve of the all* files', async () => {
      for (const file of [
        'web_config_noAuth_allCiphers.good.yml',
        'web_config_noAuth_allCurves.good.yml',
        'web_config_noAuth_noHTTP2.good.yml',
      ]) {
        const { port } = await start(file);
        assert.equal((await get(port, '/', { tls: {} })).status, 200, file);
        await running?.close();
      }
    });
  });

  describe('client certificates', () => {
    it('RequireAnyClientCert: any certificate passes, none is refused', async () => {
      const { port } = await start('tls_config_noAuth.requireanyclientcert.good.yml');
      assert.equal((await get(port, '/', { tls: clientCert('client_selfsigned') })).status, 200);
      await refused(get(port, '/', { tls: {} }));
    });

    it('RequireAnyClientCert with the key inline', async () => {
      const { port } = await start('tls_config_noAuth.requireanyclientcertkeyinline.good.yml');
      assert.equal((await get(port, '/', { tls: clientCert('client2_selfsigned') })).status, 200);
    });

    it('RequireAndVerifyClientCert: the CA-signed certificate passes; none, or another, is refused', async () => {
      const { port } = await start('tls_config_noAuth.requireandverifyclientcert.good.yml');
      assert.equal((await get(port, '/', { tls: clientCert('client_selfsigned') })).status, 200);
      await refused(get(port, '/', { tls: {} }));
      await refused(get(port, '/', { tls: clientCert('client2_selfsigned') }));
    });

    it('RequireAndVerifyClientCert without a CA (web_config_auth_clientCAs_missing.bad.yml) refuses the test certificates', async () => {
      const { port } = await start('web_config_auth_clientCAs_missing.bad.yml');
      await refused(get(port, '/', { tls: clientCert('client_selfsigned') }));
      await refused(get(port, '/', { tls: {} }));
    });

    it('VerifyClientCertIfGiven: no certificate passes, an unverifiable one is refused', async () => {
      const { port, lines } = await start('web_config_noAuth.good.yml');
      assert.equal((await get(port, '/', { tls: {} })).status, 200);
      await refused(get(port, '/', { tls: clientCert('client_selfsigned') }));
      assert.ok(
        lines.some((l) => l.includes('TLS client refused') && l.includes('not verified')),
        lines.join('\n'),
      );
    });

    it('client_allowed_sans: a listed SAN passes (web_config_auth_client_san.good.yaml)', async () => {
      const { port } = await start('web_config_auth_client_san.good.yaml');
      assert.equal((await get(port, '/', { tls: clientCert('client2_selfsigned') })).status, 200);
      await refused(get(port, '/', { tls: {} }));
    });

    it('client_allowed_sans: a certificate without a listed SAN is refused (web_config_auth_client_san.bad.yaml)', async () => {
      const { port, lines } = await start('web_config_auth_client_san.bad.yaml');
      await refused(get(port, '/', { tls: clientCert('client2_selfsigned') }));
      assert.ok(
        lines.some((l) => l.includes('could not find allowed SANs') && l.includes('test3')),
        lines.join('\n'),
      );
    });
  });
});
