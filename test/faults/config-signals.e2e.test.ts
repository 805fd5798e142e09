import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../../src/config/load.js';
import { ConfigError } from '../../src/errors.js';
import { tempDir } from '../helpers/exporter-harness.js';
import { freePort, get, runCli, waitFor } from '../helpers/daemon-process.js';

const ALIAS_BOMB = readFileSync(fileURLToPath(new URL('../fixtures/config/alias-bomb.bad.yml', import.meta.url)), 'utf8');

/** A row: a config document no one should write, and the problem it must be refused with (never a crash). */
interface ConfigCase {
  readonly name: string;
  readonly text: string | Buffer;
  readonly problem: RegExp;
}

const CASES: readonly ConfigCase[] = [
  { name: 'alias bomb (billion laughs)', text: ALIAS_BOMB, problem: /too many alias expansions/ },
  { name: 'flow sequences nested 20,000 deep', text: `accounts: ${'['.repeat(20_000)}${']'.repeat(20_000)}\n`, problem: /line 1/ },
  { name: 'binary garbage', text: Buffer.from([0xff, 0xfe, 0x00, 0x01, 0x02, 0x03]), problem: /expected object|line/ },
  { name: 'a JavaScript tag', text: 'accounts: !!js/function "function(){}"\n', problem: /accounts: expected array/ },
  { name: 'a 2 MB key', text: `${'x'.repeat(2_000_000)}: 1\n`, problem: /at most 1024 chars/ },
  { name: 'merge keys', text: 'base: &b {name: a}\naccounts:\n  - <<: *b\n', problem: /accounts\[0\]\.<<: unknown field/ },
  {
    name: 'numbers as strings, lists as maps',
    text: 'wechat: {timeout: 10}\nschedule: {lookbackDays: "7", concurrency: [1]}\naccounts: {a: 1}\n',
    problem: /schedule\.lookbackDays: expected number, got string/,
  },
  {
    name: 'lookbackDays out of range',
    text: 'schedule: {lookbackDays: 100000}\naccounts: [{name: a, appid: wx0123456789abcdef, secretEnv: S}]\n',
    problem: /schedule\.lookbackDays/,
  },
];

describe('fault matrix: config and signals', function () {
  this.timeout(60_000);
  let tmp: ReturnType<typeof tempDir>;
  beforeEach(() => {
    tmp = tempDir();
  });
  afterEach(() => tmp.remove());

  for (const c of CASES) {
    it(`config: ${c.name} is a config error naming the problem`, () => {
      const path = join(tmp.dir, 'config.yml');
      writeFileSync(path, c.text);
      assert.throws(
        () => loadConfig({ file: path, env: { S: 'secret-0123456789' } }),
        (e: unknown) => e instanceof ConfigError && e.problems.some((p) => c.problem.test(p)),
      );
    });
  }

  it('config: a directory as the config file', () => {
    mkdirSync(join(tmp.dir, 'conf.d'));
    assert.throws(() => loadConfig({ file: join(tmp.dir, 'conf.d'), env: {} }), /cannot read it \(EISDIR\)/);
  });

  for (const args of [['check-config'], []]) {
    it(`process: ${args[0] ?? 'the daemon'} with an alias bomb exits 2 with the message, no stack trace`, async () => {
      const path = join(tmp.dir, 'bomb.yml');
      writeFileSync(path, ALIAS_BOMB);
      const run = runCli([...args, `--config.file=${path}`, `--storage.path=${join(tmp.dir, 's.db')}`], { WECHAT_MAIN_SECRET: 'x' });
      assert.equal(await run.exited, 2);
      assert.match(run.stderr(), /too many alias expansions \(more than 100\)/);
      assert.doesNotMatch(run.stderr(), /ReferenceError|\n\s+at /);
    });
  }

  it('process: SIGINT ends the daemon cleanly (exit 0), as SIGTERM does', async () => {
    const port = await freePort();
    const run = runCli(['--demo', `--storage.path=${join(tmp.dir, 'demo.db')}`, `--web.listen-address=127.0.0.1:${port}`]);
    await waitFor('the demo daemon', async () => (await get(`http://127.0.0.1:${port}/-/healthy`))?.status === 200, 30_000);
    run.child.kill('SIGINT');
    assert.equal(await run.exited, 0);
    assert.match(run.stderr(), /"signal":"SIGINT"/);
  });
});
