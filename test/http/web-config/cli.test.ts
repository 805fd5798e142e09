import assert from 'node:assert/strict';
import { join } from 'node:path';
import { runCli } from '../../helpers/daemon-process.js';
import { FIXTURES } from './helpers.js';

describe('web config: command line', function () {
  this.timeout(30_000);

  it('refuses to start with a bad web config: exit 2, the problem named, nothing served', async () => {
    const bad = join(FIXTURES, 'web_config_noAuth_wrongTLSVersion.bad.yml');
    const cli = runCli(['--demo', '--web.listen-address=127.0.0.1:0', '--storage.path=:memory:', `--web.config.file=${bad}`]);
    assert.equal(await cli.exited, 2);
    assert.match(
      cli.stderr(),
      /--web\.config\.file .*wrongTLSVersion\.bad\.yml: tls_server_config\.min_version: unknown TLS version: TLS111/,
    );
  });

  it('check-config validates the web config too', async () => {
    const config = join(FIXTURES, '..', 'config', 'minimal.ok.yml');
    const env = { WECHAT_MAIN_SECRET: 'x'.repeat(32), SHOP_SECRET: 'x', NEWS_SECRET: 'x' };
    const good = runCli(
      [`--config.file=${config}`, `--web.config.file=${join(FIXTURES, 'web_config_noAuth.good.yml')}`, 'check-config'],
      env,
    );
    assert.equal(await good.exited, 0, good.stderr());
    assert.match(good.stdout(), /web config OK \(.*web_config_noAuth\.good\.yml\): TLS on/);

    const bad = runCli(
      [`--config.file=${config}`, `--web.config.file=${join(FIXTURES, 'web_config_headers_extra_header.bad.yml')}`, 'check-config'],
      env,
    );
    assert.equal(await bad.exited, 2);
    assert.match(bad.stderr(), /HTTP header "Content-Type" can not be configured/);
  });
});
