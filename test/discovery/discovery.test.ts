import assert from 'node:assert/strict';
import { mergeAccounts } from '../../src/discovery/merge.js';
import { parseAccountList } from '../../src/discovery/parse.js';
import { displayUrl, readDiscoveryFile } from '../../src/discovery/sources.js';
import { watchRoot } from '../../src/discovery/watch.js';
import { ConfigError } from '../../src/errors.js';
import { tempDir } from '../helpers/exporter-harness.js';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

const entry = (name: string, appid: string) => ({ name, appid, secretEnv: 'S' });
const ENV = { S: 'a-secret-value-000000' };

describe('discovery: parsing, merging, watching (pure parts)', () => {
  it('refuses a document that is not a list as a whole (the source keeps its last good list)', () => {
    assert.throws(
      () => parseAccountList({ accounts: [] }, 'file:/x.yml', ENV),
      (err: unknown) => {
        assert.ok(err instanceof ConfigError);
        assert.deepEqual(err.problems, ['file:/x.yml: expected a list of accounts, got object']);
        return true;
      },
    );
  });

  it('refuses each bad entry alone with its position, name and field path; keeps the good ones', () => {
    const list = parseAccountList(
      [
        entry('ok', 'wx00000000000000a1'),
        { name: 'bad', appid: 'wx1', secretEnv: 'S' },
        { name: 'nosecret', appid: 'wx00000000000000a3', secretEnv: 'MISSING' },
        'just a string',
        { ...entry('extra', 'wx00000000000000a4'), colour: 'red' },
      ],
      'http:https://p/accounts',
      ENV,
    );
    assert.deepEqual(
      list.accounts.map((a) => a.name),
      ['ok'],
    );
    assert.deepEqual(list.rejected, [
      'http:https://p/accounts: [1] (name "bad") refused: appid: expected an appid like wx0123456789abcdef ("wx" and 16 hex digits)',
      'http:https://p/accounts: [2] (name "nosecret") refused: secretEnv: environment variable MISSING is not set or empty',
      'http:https://p/accounts: [3] refused: expected object, got string',
      'http:https://p/accounts: [4] (name "extra") refused: colour: unknown field',
    ]);
    assert.ok(list.accounts[0]?.appsecret === ENV.S);
  });

  it('takes labels in entries as in the config (sorted), and refuses an entry with a bad or reserved label name alone', () => {
    const list = parseAccountList(
      [
        { ...entry('ok', 'wx00000000000000a1'), labels: { team: 'payments', customer: 'acme' } },
        { ...entry('bad', 'wx00000000000000a2'), labels: { instance: 'x', 'team.name': 'y' } },
        { ...entry('plain', 'wx00000000000000a3') },
      ],
      'file:/etc/wx/batch.yml',
      ENV,
    );
    assert.deepEqual(
      list.accounts.map((a) => [a.name, Object.entries(a.labels)]),
      [
        [
          'ok',
          [
            ['customer', 'acme'],
            ['team', 'payments'],
          ],
        ],
        ['plain', []],
      ],
    );
    assert.deepEqual(list.rejected, [
      'file:/etc/wx/batch.yml: [1] (name "bad") refused: labels.instance: "instance" is reserved (the exporter and Prometheus set appid, account, hour, job, instance themselves); ' +
        'labels.team.name: "team.name" is not a Prometheus label name ([a-zA-Z_][a-zA-Z0-9_]*)',
    ]);
  });

  it('merges static first, then sources in order; a taken name or appid is refused alone', () => {
    const [a, b, c] = [
      { ...entry('a', 'wx00000000000000a1'), appsecret: 'x' },
      { ...entry('b', 'wx00000000000000b2'), appsecret: 'x' },
      { ...entry('c', 'wx00000000000000c3'), appsecret: 'x' },
    ] as const;
    const out = mergeAccounts([
      { source: 'accounts', accounts: [a as never] },
      { source: 'file:/1.yml', accounts: [b as never, { ...a, name: 'a2' } as never] },
      { source: 'http:h', accounts: [{ ...c, name: 'b' } as never, c as never] },
    ]);
    assert.deepEqual(
      out.accounts.map((x) => x.name),
      ['a', 'b', 'c'],
    );
    assert.deepEqual(out.rejected, [
      'file:/1.yml: account "a2" (wx00000000000000a1) refused: appid wx00000000000000a1 is already used by accounts (account "a")',
      'http:h: account "b" (wx00000000000000c3) refused: name "b" is already used by file:/1.yml (account "b")',
    ]);
  });

  it('watches the directory before the first glob character', () => {
    assert.equal(watchRoot('/etc/wx/accounts/*.yml'), '/etc/wx/accounts');
    assert.equal(watchRoot('/etc/wx/**/batch-?.json'), '/etc/wx');
    assert.equal(watchRoot('/etc/wx/one.yml'), '/etc/wx');
  });

  it('shows a URL without credentials or query', () => {
    assert.equal(displayUrl('https://user:pw@platform.internal:8443/wx/accounts?token=abc'), 'https://platform.internal:8443/wx/accounts');
  });

  it('reads .json with JSON.parse and anything else as YAML, naming the file when it is broken', async () => {
    const tmp = tempDir();
    try {
      writeFileSync(join(tmp.dir, 'a.json'), '[{"name": "a"},');
      writeFileSync(join(tmp.dir, 'b.yml'), '- name: a\n  appid: [\n');
      writeFileSync(join(tmp.dir, 'c.yml'), '[{"name": "c"}]');
      await assert.rejects(readDiscoveryFile(join(tmp.dir, 'a.json')), /discovery file .*a\.json: not valid JSON/);
      await assert.rejects(
        readDiscoveryFile(join(tmp.dir, 'b.yml')),
        (err: unknown) => err instanceof ConfigError && /b\.yml/.test(err.problems[0] ?? ''),
      );
      assert.deepEqual(await readDiscoveryFile(join(tmp.dir, 'c.yml')), [{ name: 'c' }]);
      await assert.rejects(readDiscoveryFile(join(tmp.dir, 'missing.yml')), /cannot read it \(ENOENT\)/);
    } finally {
      tmp.remove();
    }
  });
});
