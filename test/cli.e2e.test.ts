import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { offsetClock } from '../src/clock.js';
import { WechatSimulator } from '../src/simulator/index.js';
import { NEWS, SHOP, tempDir } from './helpers/exporter-harness.js';
import { REPO_ROOT, freePort, get, runCli, waitFor } from './helpers/daemon-process.js';

const NOW = '2026-03-10T09:00:00+08:00';
const SECRETS = { SHOP_SECRET: SHOP.secret, NEWS_SECRET: NEWS.secret };

function writeConfig(dir: string, simUrl: string, extra = ''): string {
  const path = join(dir, 'config.yml');
  writeFileSync(
    path,
    `wechat:
  baseUrls: [${simUrl}]
  timeout: 30s
${extra}accounts:
  - name: shop
    appid: ${SHOP.appid}
    secretEnv: SHOP_SECRET
  - name: news
    appid: ${NEWS.appid}
    secretEnv: NEWS_SECRET
`,
  );
  return path;
}

describe('command line and process (subprocess from source)', function () {
  this.timeout(60_000);
  let tmp: ReturnType<typeof tempDir>;
  let sim: WechatSimulator;

  beforeEach(async () => {
    tmp = tempDir();
    sim = new WechatSimulator({ accounts: [SHOP, NEWS], clock: offsetClock(NOW) });
    await sim.listen(0, '127.0.0.1');
  });
  afterEach(async () => {
    await sim.close();
    tmp.remove();
  });

  it('check-config: exit 0 for a valid config', async () => {
    const run = runCli(['check-config', `--config.file=${writeConfig(tmp.dir, sim.url)}`], SECRETS);
    assert.equal(await run.exited, 0, run.stderr());
    assert.match(run.stdout(), /configuration OK .*: 2 account\(s\): shop, news/);
  });

  it('--version prints version, revision, build date and Node.js in the shape of version.Print', async () => {
    const run = runCli(['--version'], { WECHAT_EXPORTER_REVISION: 'abc123', WECHAT_EXPORTER_BUILD_DATE: '20261129-02:00:00' });
    assert.equal(await run.exited, 0);
    const pkg = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string };
    assert.match(
      run.stdout(),
      new RegExp(`^wechat-interface-exporter, version ${pkg.version.replace(/\./g, '\\.')} \\(branch: unknown, revision: abc123\\)\n`),
    );
    assert.match(run.stdout(), /^ {2}build date: {7}20261129-02:00:00$/m);
    assert.match(run.stdout(), new RegExp(`^ {2}node version: {5}${process.version.replace(/\./g, '\\.')}$`, 'm'));
  });

  it('--web.listen-address given twice serves on both; a bad one is a usage error (exit 2)', async () => {
    const [a, b] = [await freePort(), await freePort()];
    const run = runCli(
      [
        `--config.file=${writeConfig(tmp.dir, sim.url)}`,
        `--storage.path=${join(tmp.dir, 'store.db')}`,
        `--web.listen-address=127.0.0.1:${a}`,
        `--web.listen-address=127.0.0.1:${b}`,
      ],
      { ...SECRETS, WECHAT_EXPORTER_FAKE_NOW: NOW },
    );
    try {
      for (const port of [a, b])
        await waitFor(`:${port} healthy`, async () => (await get(`http://127.0.0.1:${port}/-/healthy`))?.status === 200);
    } finally {
      run.child.kill('SIGTERM');
    }
    assert.equal(await run.exited, 0);
    const bad = runCli([`--config.file=${writeConfig(tmp.dir, sim.url)}`, '--web.listen-address=nohost'], SECRETS);
    assert.equal(await bad.exited, 2);
    assert.match(bad.stderr(), /--web\.listen-address: expected \[HOST\]:PORT/);
  });

  it('check-config: exit 2 with every problem and its field path', async () => {
    const path = join(tmp.dir, 'bad.yml');
    writeFileSync(
      path,
      'schedule:\n  lookbackDays: 0\naccounts:\n  - name: main\n    appid: wx0123456789abcdef\n    secretEnv: X\n    tokenSource: token\n',
    );
    const run = runCli(['check-config', `--config.file=${path}`]);
    assert.equal(await run.exited, 2);
    assert.match(run.stderr(), /schedule\.lookbackDays: expected an integer from 1 to 90/);
    assert.match(run.stderr(), /accounts\[0\]\.tokenSource: expected one of stable, classic, file, url/);
  });

  it('the daemon refuses a bad config with exit 2 before listening', async () => {
    const run = runCli([`--web.listen-address=127.0.0.1:${await freePort()}`, `--storage.path=${join(tmp.dir, 'x.db')}`], {});
    assert.equal(await run.exited, 2);
    assert.match(run.stderr(), /no accounts configured/);
  });

  it('an unknown flag or a bad --log.level exits 2', async () => {
    assert.equal(await runCli(['--no-such-flag']).exited, 2);
    assert.equal(await runCli(['--log.level=loud']).exited, 2);
  });

  it('a bad --shard exits 2 and says what is expected', async () => {
    const outOfRange = runCli(['check-config', '--shard=2/2']);
    assert.equal(await outOfRange.exited, 2);
    assert.match(outOfRange.stderr(), /--shard.*shard 2 does not exist with 2 shard\(s\)/);
    const noOrdinal = runCli(['check-config', '--shard=auto/2'], { HOSTNAME: 'laptop' });
    assert.equal(await noOrdinal.exited, 2);
    assert.match(noOrdinal.stderr(), /host name ending in -<number>/);
  });

  it('refuses a store path holding another file, exits 1 and leaves the file as it was', async () => {
    const precious = join(tmp.dir, 'notes.txt');
    writeFileSync(precious, 'keep me\n');
    const run = runCli(
      [
        `--config.file=${writeConfig(tmp.dir, sim.url)}`,
        `--storage.path=${precious}`,
        `--web.listen-address=127.0.0.1:${await freePort()}`,
      ],
      SECRETS,
    );
    assert.equal(await run.exited, 1);
    assert.match(run.stderr(), /not an SQLite database; refusing to overwrite it/);
    assert.equal(readFileSync(precious, 'utf8'), 'keep me\n');
  });

  it('serves metrics, landing page, health and readiness; logs JSON lines with account and appid and no secret', async () => {
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    const run = runCli(
      [
        `--config.file=${writeConfig(tmp.dir, sim.url)}`,
        `--storage.path=${join(tmp.dir, 'store.db')}`,
        `--web.listen-address=127.0.0.1:${port}`,
        '--web.telemetry-path=/stats',
        '--log.level=debug',
      ],
      { ...SECRETS, WECHAT_EXPORTER_FAKE_NOW: NOW },
    );
    try {
      const metrics = await waitFor('data on /stats', async () => {
        const r = await get(`${base}/stats`);
        return r && /wechat_interface_day_callbacks\{[^}]*account="news"/.test(r.body) ? r.body : undefined;
      });
      assert.match(metrics, /^process_cpu_seconds_total /m, 'prom-client default process metrics');
      assert.equal((await get(`${base}/metrics`))?.status, 404);
      assert.equal((await get(`${base}/-/healthy`))?.status, 200);
      assert.equal((await get(`${base}/-/ready`))?.status, 200);
      const landing = await get(`${base}/`);
      assert.match(landing?.body ?? '', /shop.*wx00000000000000a1[\s\S]*2026-03-09/);
      assert.match(landing?.body ?? '', /href="\/stats"/);
    } finally {
      run.child.kill('SIGTERM');
      assert.equal(await run.exited, 0);
    }
    const lines = run
      .stderr()
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    const stored = lines.filter((l) => l['message'] === 'stored days');
    assert.equal(stored.length, 2);
    assert.ok(stored.every((l) => typeof l['account'] === 'string' && typeof l['appid'] === 'string' && l['level'] === 'info'));
    const all = run.stdout() + run.stderr();
    for (const secret of Object.values(SECRETS)) assert.ok(!all.includes(secret), 'no appsecret in the logs');
  });

  it('--log.format=text (an alias of logfmt) writes logfmt lines as promslog does', async () => {
    const port = await freePort();
    const run = runCli(
      [
        `--config.file=${writeConfig(tmp.dir, sim.url)}`,
        `--storage.path=${join(tmp.dir, 'store.db')}`,
        `--web.listen-address=127.0.0.1:${port}`,
        '--log.format=text',
      ],
      { ...SECRETS, WECHAT_EXPORTER_FAKE_NOW: NOW },
    );
    await waitFor('started', () => run.stderr().includes('stored days'));
    run.child.kill('SIGINT');
    assert.equal(await run.exited, 0);
    assert.match(
      run.stderr(),
      /^time=\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z level=INFO msg="stored days" account=shop appid=wx00000000000000a1 /m,
    );
  });

  it('SIGTERM during a call in flight: exits 0 well within 10 s', async () => {
    sim.inject({ kind: 'timeout' }, { api: 'getinterfacesummary', times: Infinity });
    const port = await freePort();
    const run = runCli(
      [
        `--config.file=${writeConfig(tmp.dir, sim.url)}`,
        `--storage.path=${join(tmp.dir, 'store.db')}`,
        `--web.listen-address=127.0.0.1:${port}`,
      ],
      { ...SECRETS, WECHAT_EXPORTER_FAKE_NOW: NOW },
    );
    await waitFor('a data call in flight', () => sim.callCount({ api: 'getinterfacesummary' }) >= 2);
    const started = Date.now();
    run.child.kill('SIGTERM');
    assert.equal(await run.exited, 0, run.stderr());
    const took = Date.now() - started;
    assert.ok(took < 10_000, `took ${took} ms`);
    assert.match(run.stderr(), /"message":"stopped"/);
  });
});
