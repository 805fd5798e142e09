import assert from 'node:assert/strict';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../../src/config/load.js';
import { parseDuration } from '../../src/config/duration.js';
import { ConfigError } from '../../src/errors.js';
import { tempDir } from '../helpers/exporter-harness.js';

const FIXTURES = fileURLToPath(new URL('../fixtures/config/', import.meta.url));
const ENV = { WECHAT_MAIN_SECRET: 'main-secret-from-env-0000', A: 'x' };

function problemsOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (err) {
    if (err instanceof ConfigError) return [...err.problems];
    throw err;
  }
  assert.fail('expected a ConfigError');
}

describe('config', () => {
  let tmp: ReturnType<typeof tempDir>;
  let secretFile: string;
  before(() => {
    tmp = tempDir();
    secretFile = join(tmp.dir, 'shop-secret');
    writeFileSync(secretFile, 'shop-secret-from-file-000\n');
  });
  after(() => tmp.remove());

  /** The fixture, with SECRET_FILE pointing at a real file. */
  const fixture = (name: string): string => {
    const path = join(tmp.dir, name);
    writeFileSync(path, readFileSync(join(FIXTURES, name), 'utf8').replaceAll('SECRET_FILE', secretFile));
    return path;
  };

  for (const name of readdirSync(FIXTURES).filter((f) => f.endsWith('.ok.yml'))) {
    it(`${name} loads`, () => {
      const config = loadConfig({ file: fixture(name), env: ENV });
      assert.ok(config.accounts.length > 0);
    });
  }

  for (const name of readdirSync(FIXTURES).filter((f) => f.endsWith('.bad.yml'))) {
    it(`${name} is refused with the expected messages`, () => {
      const path = fixture(name);
      const expected = readFileSync(join(FIXTURES, name.replace(/\.yml$/, '.txt')), 'utf8')
        .trim()
        .split('\n')
        .map((l) => l.replace('FILE', path));
      assert.deepEqual(
        problemsOf(() => loadConfig({ file: path, env: ENV })),
        expected,
      );
    });
  }

  it('reads the whole contract example with its defaults and secrets', () => {
    const config = loadConfig({ file: fixture('full.ok.yml'), env: ENV });
    assert.equal(config.wechat.timeout, 10_000);
    assert.equal(config.wechat.proxy, 'http://proxy.internal:3128');
    assert.equal(config.schedule.retryInterval, 30 * 60_000);
    assert.deepEqual(
      config.accounts.map((a) => [a.name, a.tokenSource, a.appsecret]),
      [
        ['main', 'stable', 'main-secret-from-env-0000'],
        ['shop', 'classic', 'shop-secret-from-file-000'],
        ['platform-client', 'file', undefined],
        ['central', 'url', undefined],
      ],
    );
    assert.deepEqual(config.warnings, []);
  });

  it('fills defaults: api.weixin.qq.com then api2, 10s, 15 8 * * *, 30m, 7 days, stable tokens', () => {
    const config = loadConfig({ file: fixture('minimal.ok.yml'), env: ENV });
    assert.deepEqual(config.wechat.baseUrls, ['https://api.weixin.qq.com', 'https://api2.weixin.qq.com']);
    assert.equal(config.wechat.timeout, 10_000);
    assert.deepEqual(config.schedule, { cron: '15 8 * * *', retryInterval: 1_800_000, lookbackDays: 7, concurrency: 4 });
    assert.equal(config.accounts[0]?.tokenSource, 'stable');
  });

  it('labels: sorted by name, {} when absent; too many or too long are refused', () => {
    const config = loadConfig({ file: fixture('labels.ok.yml'), env: ENV });
    assert.deepEqual(
      config.accounts.map((a) => Object.entries(a.labels)),
      [
        [
          ['_cost_centre', '4711'],
          ['customer', 'acme'],
          ['team', 'payments'],
        ],
        [],
        [],
      ],
    );
    const path = join(tmp.dir, 'labels-big.yml');
    const many = Object.fromEntries(Array.from({ length: 33 }, (_, i) => [`l${i}`, 'x']));
    writeFileSync(path, JSON.stringify({ accounts: [{ name: 'big', appid: 'wx0123456789abcdef', secretEnv: 'A', labels: many }] }));
    assert.deepEqual(
      problemsOf(() => loadConfig({ file: path, env: ENV })),
      ['accounts[0] (big).labels: expected at most 32 labels'],
    );
    writeFileSync(
      path,
      JSON.stringify({ accounts: [{ name: 'big', appid: 'wx0123456789abcdef', secretEnv: 'A', labels: { team: 'x'.repeat(257) } }] }),
    );
    assert.deepEqual(
      problemsOf(() => loadConfig({ file: path, env: ENV })),
      ['accounts[0] (big).labels.team: expected at most 256 characters'],
    );
  });

  it('warns about an inline secret', () => {
    const config = loadConfig({ file: fixture('inline-secret.ok.yml'), env: {} });
    assert.deepEqual(config.warnings, ['accounts[0].secret: the appsecret is written in the config file; prefer secretEnv or secretFile']);
  });

  it('configures one account from WECHAT_APPID and WECHAT_APPSECRET without a file', () => {
    const config = loadConfig({
      env: { WECHAT_APPID: 'wx0123456789abcdef', WECHAT_APPSECRET: 'env-secret-00000000', WECHAT_ACCOUNT_NAME: 'solo' },
    });
    assert.deepEqual(
      config.accounts.map((a) => [a.name, a.appid, a.appsecret]),
      [['solo', 'wx0123456789abcdef', 'env-secret-00000000']],
    );
    assert.equal(loadConfig({ env: { WECHAT_APPID: 'wx0123456789abcdef', WECHAT_APPSECRET: 's-00000000' } }).accounts[0]?.name, 'default');
  });

  it('takes the file from WECHAT_EXPORTER_CONFIG', () => {
    assert.equal(loadConfig({ env: { ...ENV, WECHAT_EXPORTER_CONFIG: fixture('minimal.ok.yml') } }).accounts[0]?.name, 'main');
  });

  it('says what to do when nothing is configured', () => {
    assert.deepEqual(
      problemsOf(() => loadConfig({ env: {} })),
      ['no accounts configured: pass --config.file (or WECHAT_EXPORTER_CONFIG), or set WECHAT_APPID and WECHAT_APPSECRET'],
    );
  });

  it('names the missing variable when WECHAT_APPSECRET is not set', () => {
    assert.deepEqual(
      problemsOf(() => loadConfig({ env: { WECHAT_APPID: 'wx0123456789abcdef' } })),
      ['accounts[0].secretEnv: environment variable WECHAT_APPSECRET is not set or empty'],
    );
  });

  it('names an unreadable config file', () => {
    assert.deepEqual(
      problemsOf(() => loadConfig({ file: '/nonexistent/config.yml', env: {} })),
      ['config file /nonexistent/config.yml: cannot read it (ENOENT)'],
    );
  });

  it('never quotes a secret in a message', () => {
    const path = join(tmp.dir, 'secret-typo.yml');
    writeFileSync(path, 'accounts:\n  - name: main\n    appid: wx0123456789abcdef\n    secret: 12345678901234567890\n');
    const problems = problemsOf(() => loadConfig({ file: path, env: {} }));
    assert.deepEqual(problems, ['accounts[0].secret: expected string, got number']);
  });

  it('parses durations strictly', () => {
    assert.equal(parseDuration('500ms'), 500);
    assert.equal(parseDuration('10s'), 10_000);
    assert.equal(parseDuration('30m'), 1_800_000);
    assert.equal(parseDuration('6h'), 21_600_000);
    for (const bad of ['10', '1h30m', '-5s', '5 s', 's', '1.5h']) assert.equal(parseDuration(bad), undefined, bad);
  });
});
