import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface TestPki {
  readonly caFile: string;
  readonly serverCert: string;
  readonly serverKey: string;
  readonly clientCert: string;
  readonly clientKey: string;
}

/** Runs `openssl` in `dir`; `args` is split on spaces (none of them contains one). */
function openssl(dir: string, args: string): void {
  execFileSync('openssl', args.split(' '), { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
}

const NEW_P256_KEY = '-newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes';

/** A leaf key and certificate signed by the CA in `dir`, with the given SAN and extended key usage. */
function leaf(dir: string, name: string, san: string, usage: string): void {
  openssl(dir, `req ${NEW_P256_KEY} -keyout ${name}.key -out ${name}.csr -subj /CN=${name}`);
  writeFileSync(join(dir, `${name}.ext`), `subjectAltName=${san}\nextendedKeyUsage=${usage}\nbasicConstraints=CA:FALSE\n`);
  openssl(dir, `x509 -req -in ${name}.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 2 -out ${name}.crt -extfile ${name}.ext`);
}

/**
 * A throw-away CA, a server certificate for 127.0.0.1 and a client certificate (SAN DNS:prometheus),
 * made with the openssl command line in `dir`, valid for two days.
 */
export function makeTestPki(dir: string): TestPki {
  const caExtensions = '-addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign';
  openssl(dir, `req -x509 ${NEW_P256_KEY} -keyout ca.key -out ca.pem -days 2 -subj /CN=wechat-exporter-test-CA ${caExtensions}`);
  leaf(dir, 'server', 'IP:127.0.0.1,DNS:localhost', 'serverAuth');
  leaf(dir, 'client', 'DNS:prometheus', 'clientAuth');
  return {
    caFile: join(dir, 'ca.pem'),
    serverCert: join(dir, 'server.crt'),
    serverKey: join(dir, 'server.key'),
    clientCert: join(dir, 'client.crt'),
    clientKey: join(dir, 'client.key'),
  };
}
