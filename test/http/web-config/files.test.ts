import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '../../../src/errors.js';
import { WebConfigSource } from '../../../src/http/web-config/index.js';
import { FIXTURES } from './helpers.js';

/**
 * Each of the toolkit's test files, and what it refuses them for (its ErrorMap in
 * web/tls_config_test.go). Two of its bad files are valid files that refuse clients, in Go as
 * here (see server.test.ts): web_config_auth_client_san.bad.yaml's SAN list refuses the test
 * client, and web_config_auth_clientCAs_missing.bad.yml (the same text as the good
 * web_config_noAuth.good.blocking.yml) requires verified client certificates without a CA, so
 * only certificates from the host's trusted roots pass.
 */
const REFUSED: Readonly<Record<string, RegExp>> = {
  'web_config_auth_clientCAs_invalid.bad.yml': /client_ca_file|Client Auth Policy/,
  'web_config_auth_user_list_invalid.bad.yml': /basic_auth_users\.john: hashedSecret too short to be a bcrypted password/,
  'web_config_headers_content_type_options.bad.yml':
    /invalid value for X-Content-Type-Options\. Expected one of: \["nosniff"\], but got: "sniff"/,
  'web_config_headers_extra_header.bad.yml': /HTTP header "Content-Type" can not be configured/,
  'web_config_headers_frame_options.bad.yml': /invalid value for X-Frame-Options/,
  'web_config_noAuth.bad.yml': /client CA's have been configured without a Client Auth Policy/,
  'web_config_noAuth_certPath_empty.bad.yml': /missing one of cert or cert_file/,
  'web_config_noAuth_certPath_invalid.bad.yml': /failed to read cert_file .*somefile.*no such file/,
  'web_config_noAuth_certPath_keyPath_empty.bad.yml': /missing one of cert or cert_file/,
  'web_config_noAuth_certPath_keyPath_invalid.bad.yml': /no such file/,
  'web_config_noAuth_cert_empty.bad.yml': /missing one of cert or cert_file/,
  'web_config_noAuth_inventedCiphers.bad.yml': /cipher_suites\[0\]: unknown cipher: TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA2048/,
  'web_config_noAuth_inventedCurves.bad.yml': /curve_preferences\[0\]: unknown curve: CurveP257/,
  'web_config_noAuth_keyPath_empty.bad.yml': /missing one of key or key_file/,
  'web_config_noAuth_keyPath_invalid.bad.yml': /no such file/,
  'web_config_noAuth_key_empty.bad.yml': /missing one of key or key_file/,
  'web_config_noAuth_noHTTP2Cipher.bad.yml': /missing an HTTP\/2-required AES_128_GCM_SHA256 cipher/,
  'web_config_noAuth_wrongTLSVersion.bad.yml': /min_version: unknown TLS version: TLS111/,
  'web_config_junk.yml': /expected object, got string/,
  'web_config_junk_key.yml': /tls_server_config\.cert_filse: unknown field/,
};
/** Refused by the toolkit only when a client connects (server.test.ts shows that). */
const REFUSED_AT_CONNECTION = ['web_config_auth_client_san.bad.yaml', 'web_config_auth_clientCAs_missing.bad.yml'];

function refusal(file: string): string {
  try {
    WebConfigSource.load(join(FIXTURES, file));
  } catch (err) {
    assert.ok(err instanceof ConfigError, `${file}: ${String(err)}`);
    return err.message;
  }
  assert.fail(`${file} was accepted`);
}

describe("web config: exporter-toolkit's test files get the toolkit's verdicts", () => {
  const files = readdirSync(FIXTURES).filter((f) => /\.ya?ml$/.test(f));

  it('knows every YAML file of the copied testdata', () => {
    assert.ok(files.length >= 40, `only ${files.length} files`);
    for (const f of files) {
      const good = /\.good\.|^web_config_empty|^web_config_rate_limiter/.test(f);
      assert.ok(good || f in REFUSED || REFUSED_AT_CONNECTION.includes(f), `${f}: no verdict in this test`);
    }
  });

  it('loads every good file (and the empty and rate-limit files), TLS files read', () => {
    const good = files.filter((f) => /\.good\.|^web_config_empty|^web_config_rate_limiter/.test(f) || REFUSED_AT_CONNECTION.includes(f));
    assert.ok(good.length >= 18);
    for (const f of good) assert.doesNotThrow(() => WebConfigSource.load(join(FIXTURES, f)), f);
  });

  for (const [file, pattern] of Object.entries(REFUSED)) {
    it(`refuses ${file}, naming the file and the problem`, () => {
      const message = refusal(file);
      assert.match(message, pattern);
      assert.ok(message.includes(`--web.config.file ${join(FIXTURES, file)}`), message);
    });
  }

  it('refuses a missing file', () => {
    assert.match(refusal('no-such-file.yml'), /cannot read it \(ENOENT: no such file or directory/);
  });

  it('never quotes a password hash in a message', () => {
    const message = refusal('web_config_auth_user_list_invalid.bad.yml');
    assert.doesNotMatch(message, /doe/);
  });

  it("resolves relative paths from the file's folder, not the working directory", () => {
    const source = WebConfigSource.load(join(FIXTURES, 'web_config_noAuth.good.yml'));
    assert.deepEqual(source.spec().tls?.cert, { file: join(FIXTURES, 'server.crt') });
  });

  it('reads the toolkit defaults: TLS 1.2 to 1.3, server cipher order, http2 on', () => {
    const spec = WebConfigSource.load(join(FIXTURES, 'web_config_noAuth.good.yml')).spec();
    assert.equal(spec.tls?.minVersion, 'TLS12');
    assert.equal(spec.tls?.maxVersion, 'TLS13');
    assert.equal(spec.tls?.preferServerCipherSuites, true);
    assert.equal(spec.http2, true);
    assert.equal(spec.tls?.clientAuth, 'VerifyClientCertIfGiven');
  });

  it('maps Go cipher and curve names to OpenSSL names, dropping the TLS 1.3 suites as Go ignores them', () => {
    const all = WebConfigSource.load(join(FIXTURES, 'web_config_noAuth_allCiphers.good.yml')).tlsPolicy();
    assert.ok(all?.options.ciphers?.includes('ECDHE-RSA-AES128-GCM-SHA256'));
    assert.doesNotMatch(all?.options.ciphers ?? '', /TLS_AES/);
    const curves = WebConfigSource.load(join(FIXTURES, 'web_config_noAuth_allCurves.good.yml')).tlsPolicy();
    assert.equal(curves?.options.ecdhCurve, 'P-256:P-384:P-521:X25519');
  });
});

describe('web config: refusals beyond the toolkit files', () => {
  const cases: readonly [string, string, RegExp][] = [
    [
      'a client CA file without a certificate',
      'client_auth_type: RequireAndVerifyClientCert\n  client_ca_file: /dev/null',
      /holds no PEM certificate/,
    ],
    [
      'min_version above max_version',
      'min_version: TLS13\n  max_version: TLS12',
      /no supported versions satisfy min_version TLS13 and max_version TLS12/,
    ],
    ['an unknown client_auth_type', 'client_auth_type: RequireEverything', /invalid ClientAuth: RequireEverything/],
    ['a certificate that does not match the key', 'cert_file: client_selfsigned.pem', /failed to load X509KeyPair/],
  ];
  for (const [what, extra, pattern] of cases) {
    it(`refuses ${what}`, () => {
      const dir = mkdtempSync(join(tmpdir(), 'wx-web-config-'));
      try {
        for (const f of ['server.crt', 'server.key', 'client_selfsigned.pem']) copyFileSync(join(FIXTURES, f), join(dir, f));
        const file = join(dir, 'web.yml');
        const lines = `tls_server_config:\n  key_file: server.key\n  ${extra}\n`;
        writeFileSync(file, extra.includes('cert_file') ? lines : lines.replace('  key_file', '  cert_file: server.crt\n  key_file'));
        assert.throws(
          () => WebConfigSource.load(file),
          (err: Error) => err instanceof ConfigError && pattern.test(err.message),
        );
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  }
});
