import assert from 'node:assert/strict';
import { WHOLE, inShard, parseShard, shardOf } from '../../src/config/shard.js';

const appids = (n: number): string[] => Array.from({ length: n }, (_, i) => `wx${(0x5eed0000 + i * 7919).toString(16).padStart(16, '0')}`);

describe('--shard parsing', () => {
  it('reads I/N, and auto/N from a StatefulSet pod name', () => {
    assert.deepEqual(parseShard('0/1', 'h'), WHOLE);
    assert.deepEqual(parseShard('2/3', 'h'), { index: 2, count: 3 });
    assert.deepEqual(parseShard('auto/4', 'wechat-interface-exporter-3'), { index: 3, count: 4 });
    assert.deepEqual(parseShard('auto/12', 'prod-wx-exporter-10'), { index: 10, count: 12 });
  });

  it('refuses what is not a shard, saying what is expected', () => {
    for (const bad of ['', '1', '3/3', '4/3', '-1/3', '0/0', '1/2/3', 'a/2', '0/1001', ' 1 / 2']) {
      assert.throws(() => parseShard(bad, 'h'), /expected I\/N with 0 ≤ I < N ≤ 1000|does not exist/, bad);
    }
    assert.throws(() => parseShard('3/3', 'h'), /shard 3 does not exist with 3 shard\(s\)/);
    assert.throws(() => parseShard('auto/3', 'laptop'), /host name ending in -<number>.*"laptop"; give I\/N instead/);
    assert.throws(() => parseShard('auto/3', 'exporter-3'), /shard 3 does not exist with 3 shard\(s\)/);
  });
});

describe('rendezvous hashing of appids to shards', () => {
  const ids = appids(3000);

  it('puts every appid in exactly one shard, the same one every time', () => {
    for (const id of ids.slice(0, 200)) {
      const s = shardOf(id, 3);
      assert.equal(shardOf(id, 3), s);
      assert.deepEqual(
        [0, 1, 2].filter((index) => inShard(id, { index, count: 3 })),
        [s],
      );
    }
    assert.ok(ids.every((id) => inShard(id, WHOLE) && shardOf(id, 1) === 0));
  });

  it('spreads 3,000 appids evenly over 3 shards (each within 10 % of 1,000)', () => {
    const sizes = [0, 0, 0];
    for (const id of ids) sizes[shardOf(id, 3)]!++;
    for (const size of sizes) assert.ok(size > 900 && size < 1100, `shard sizes ${sizes.join(', ')}`);
  });

  it('going from 2 to 3 shards moves about a third of the accounts, all to the new shard', () => {
    const moved = ids.filter((id) => shardOf(id, 2) !== shardOf(id, 3));
    const share = moved.length / ids.length;
    assert.ok(share > 0.3 && share < 0.37, `moved ${(share * 100).toFixed(1)} %`);
    assert.ok(
      moved.every((id) => shardOf(id, 3) === 2),
      'an account that moves goes to the new shard; none moves between old shards',
    );
  });

  it('going from 3 to 4 moves about a quarter', () => {
    const share = ids.filter((id) => shardOf(id, 3) !== shardOf(id, 4)).length / ids.length;
    assert.ok(share > 0.22 && share < 0.28, `moved ${(share * 100).toFixed(1)} %`);
  });
});
