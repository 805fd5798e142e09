import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { hashSync } from 'bcryptjs';
import { stringify } from 'yaml';
import { freePort, runCli } from '../../helpers/daemon-process.js';
import { tempDir } from '../../helpers/exporter-harness.js';
import { makeTestPki, type TestPki } from '../../helpers/openssl-certs.js';
import { which } from '../../helpers/tools.js';
import { ManagedProcess } from '../../e2e/support/process.js';
import { PrometheusApi } from '../../e2e/support/prometheus-api.js';
import { FatalWaitError, done, notYet, waitFor } from '../../e2e/support/wait.js';
import { basic, get } from './helpers.js';

const PASSWORD = 'scrape-me-7f3a';

function webConfig(): string {
  return stringify({
    tls_server_config: {
      cert_file: 'server.crt', // relative: from the web config file's folder
      key_file: 'server.key',
      client_auth_type: 'VerifyClientCertIfGiven',
      client_ca_file: 'ca.pem',
      min_version: 'TLS12',
    },
    http_server_config: { headers: { 'X-Content-Type-Options': 'nosniff' } },
    basic_auth_users: { prometheus: hashSync(PASSWORD, 10) },
  });
}

function prometheusConfig(target: string, pki: TestPki): string {
  const job = (name: string, password: string, clientCert: boolean) => ({
    job_name: name,
    scheme: 'https',
    tls_config: { ca_file: pki.caFile, ...(clientCert ? { cert_file: pki.clientCert, key_file: pki.clientKey } : {}) },
    basic_auth: { username: 'prometheus', password },
    static_configs: [{ targets: [target] }],
  });
  return stringify({
    global: { scrape_interval: '1s', scrape_timeout: '1s' },
    scrape_configs: [job('right-password', PASSWORD, true), job('wrong-password', 'guess', false)],
  });
}

describe('end to end: Prometheus scrapes the exporter over TLS with basic auth', function () {
  this.timeout(90_000);
  const stops: (() => Promise<void>)[] = [];
  let tmp: ReturnType<typeof tempDir> | undefined;

  after(async () => {
    await Promise.all(stops.map((stop) => stop()));
    tmp?.remove();
  });

  it('is up with the right password and client certificate, down with 401 with a wrong password', async function () {
    const prometheusBin = which('prometheus');
    if (!prometheusBin || !which('openssl')) {
      console.log('      skipped: prometheus or openssl is not installed (CI installs the Debian packages prometheus and openssl)');
      this.skip();
    }
    tmp = tempDir('wx-web-e2e-');
    const pki = makeTestPki(tmp.dir);
    const webConfigFile = join(tmp.dir, 'web-config.yml');
    writeFileSync(webConfigFile, webConfig());

    const exporterPort = await freePort();
    const exporter = runCli([
      '--demo',
      `--web.listen-address=127.0.0.1:${exporterPort}`,
      `--web.config.file=${webConfigFile}`,
      `--storage.path=${join(tmp.dir, 'exporter.db')}`,
    ]);
    stops.push(async () => {
      exporter.child.kill('SIGTERM');
      await exporter.exited;
    });
    const tls = { ca: readFileSync(pki.caFile, 'utf8'), rejectUnauthorized: true };
    await waitFor('the exporter to answer over TLS', async () => {
      if (exporter.child.exitCode !== null) throw new FatalWaitError(`the exporter exited: ${exporter.stderr()}`);
      const res = await get(exporterPort, '/-/ready', { tls, auth: basic('prometheus', PASSWORD) }).catch((e: Error) => e);
      return res instanceof Error ? notYet(res.message) : res.status === 200 ? done(undefined) : notYet(`HTTP ${res.status}`);
    });
    assert.equal((await get(exporterPort, '/metrics', { tls })).status, 401, 'no credentials');

    const promPort = await freePort();
    const promFile = join(tmp.dir, 'prometheus.yml');
    writeFileSync(promFile, prometheusConfig(`127.0.0.1:${exporterPort}`, pki));
    const prom = new ManagedProcess({
      name: 'prometheus',
      command: prometheusBin,
      args: [
        `--config.file=${promFile}`,
        `--storage.tsdb.path=${join(tmp.dir, 'prometheus')}`,
        `--web.listen-address=127.0.0.1:${promPort}`,
      ],
    });
    stops.push(() => prom.stop());
    const api = new PrometheusApi(`http://127.0.0.1:${promPort}`);

    const up = await waitFor(
      'Prometheus to scrape both jobs',
      async () => {
        prom.assertRunning();
        const answer = await api.query('up').catch((e: Error) => ({ ok: false as const, error: e.message }));
        if (!answer.ok) return notYet(answer.error);
        const byJob = Object.fromEntries(answer.result.map((s) => [s.metric['job'], s.value?.[1]]));
        return byJob['right-password'] === '1' && byJob['wrong-password'] === '0' ? done(byJob) : notYet(JSON.stringify(byJob));
      },
      { timeoutMs: 60_000 },
    );
    assert.deepEqual(up, { 'right-password': '1', 'wrong-password': '0' });

    const targets = (await (await fetch(`http://127.0.0.1:${promPort}/api/v1/targets`)).json()) as {
      data: { activeTargets: { labels: Record<string, string>; lastError: string; health: string }[] };
    };
    const wrong = targets.data.activeTargets.find((t) => t.labels['job'] === 'wrong-password');
    assert.match(wrong?.lastError ?? '', /401 Unauthorized/);
    const right = await api.query('wechat_exporter_build_info{job="right-password"}');
    assert.ok(right.ok && right.result.length === 1, "the exporter's own metrics are in Prometheus");
    assert.ok(
      !exporter.stderr().includes(PASSWORD) && !exporter.stdout().includes(PASSWORD),
      'the password never appears in the exporter log',
    );
  });
});
