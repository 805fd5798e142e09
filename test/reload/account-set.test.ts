import assert from 'node:assert/strict';
import { resolveConfig, type ResolvedAccount } from '../../src/config/load.js';
import { diffAccounts } from '../../src/reload/account-diff.js';
import { restartOnlyChanges } from '../../src/reload/account-set.js';

const account = (name: string, appid: string, secret = 's-000000000001', labels?: Record<string, string>): ResolvedAccount =>
  resolveConfig({ accounts: [{ name, appid, secret, labels }] }, {}, 'test').accounts[0] as ResolvedAccount;

describe('reload: what changes', () => {
  it('matches accounts by appid: kept when equal, changed when the secret or name differs, added, removed', () => {
    const running = [account('a', 'wx00000000000000a1'), account('b', 'wx00000000000000b2'), account('c', 'wx00000000000000c3')].map(
      (config) => ({ config }),
    );
    const next = [
      account('a', 'wx00000000000000a1'),
      account('b', 'wx00000000000000b2', 's-rotated-0002'),
      account('c2', 'wx00000000000000c3'),
      account('d', 'wx00000000000000d4'),
    ];
    const diff = diffAccounts(running, next);
    assert.deepEqual(
      diff.kept.map((r) => r.config.name),
      ['a'],
    );
    assert.deepEqual(
      diff.changed.map((c) => `${c.before.config.name}->${c.after.name}`),
      ['b->b', 'c->c2'],
    );
    assert.deepEqual(
      diff.added.map((a) => a.name),
      ['d'],
    );
    assert.deepEqual(
      diffAccounts(running, next.slice(0, 1)).removed.map((r) => r.config.name),
      ['b', 'c'],
    );
  });

  it('only labels differing is a relabel (no new runtime); labels and another field differing is a change', () => {
    const running = [account('a', 'wx00000000000000a1'), account('b', 'wx00000000000000b2', undefined, { team: 'x' })].map((config) => ({
      config,
    }));
    const diff = diffAccounts(running, [
      account('a', 'wx00000000000000a1', undefined, { team: 'payments' }),
      account('b', 'wx00000000000000b2', 's-rotated-0002', { team: 'y' }),
    ]);
    assert.deepEqual(
      diff.relabeled.map((c) => `${c.after.name}:${c.after.labels['team']}`),
      ['a:payments'],
    );
    assert.deepEqual(
      diff.changed.map((c) => c.after.name),
      ['b'],
    );
    assert.deepEqual(diff.kept, []);
  });

  it('names the sections that need a restart, and only those', () => {
    const base = { accounts: [{ name: 'a', appid: 'wx00000000000000a1', secret: 'x-000000000001' }] };
    const before = resolveConfig(base, {}, 'test');
    assert.deepEqual(restartOnlyChanges(before, resolveConfig({ ...base, schedule: { cron: '0 9 * * *' } }, {}, 'test')), []);
    assert.deepEqual(restartOnlyChanges(before, resolveConfig({ ...base, wechat: { timeout: '3s' } }, {}, 'test')), [
      'wechat: changed; the new settings take effect after a restart',
    ]);
  });
});
