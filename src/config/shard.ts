import { createHash } from 'node:crypto';

/**
 * Which part of the configured accounts one instance polls, stores and exports (`--shard=I/N`),
 * so that several pods share thousands of accounts, each account in exactly one of them.
 */
export interface Shard {
  /** 0 ≤ index < count. */
  readonly index: number;
  readonly count: number;
}

/** Not sharded: one instance has every account. */
export const WHOLE: Shard = Object.freeze({ index: 0, count: 1 });

/** At most this many shards: far beyond what any platform needs, small enough to hash per account. */
export const MAX_SHARDS = 1000;

/** A bad `--shard` value; the message says what is expected. */
export class ShardSyntaxError extends Error {}

/**
 * `I/N`, or `auto/N` to take I from the trailing `-<number>` of the host name, as a StatefulSet
 * names its pods (`wechat-exporter-2` is shard 2): the Helm chart needs no shell or init step.
 */
export function parseShard(text: string, hostname: string): Shard {
  const m = /^(\d+|auto)\/(\d+)$/.exec(text.trim());
  const expected = `expected I/N with 0 ≤ I < N ≤ ${MAX_SHARDS} (e.g. 0/3), or auto/N, got ${JSON.stringify(text)}`;
  if (!m) throw new ShardSyntaxError(expected);
  const count = Number(m[2]);
  if (count < 1 || count > MAX_SHARDS) throw new ShardSyntaxError(expected);
  let index: number;
  if (m[1] === 'auto') {
    const ordinal = /-(\d+)$/.exec(hostname);
    if (!ordinal) {
      throw new ShardSyntaxError(
        `auto/${count} takes the shard from a host name ending in -<number> (a StatefulSet pod's), but the host name is ${JSON.stringify(hostname)}; give I/N instead`,
      );
    }
    index = Number(ordinal[1]);
  } else {
    index = Number(m[1]);
  }
  if (index >= count) throw new ShardSyntaxError(`shard ${index} does not exist with ${count} shard(s): ${expected}`);
  return { index, count };
}

/** The weight of an (appid, shard) pair: the first 48 bits of SHA-256 over the shard number and the appid. */
function weight(appid: string, shard: number): number {
  return createHash('sha256').update(`${shard}:${appid}`).digest().readUIntBE(0, 6);
}

/**
 * The shard of an appid by rendezvous (highest-random-weight) hashing: every shard scores the
 * appid and the highest score wins (the lowest shard on a tie). Going from N to N+1 shards moves
 * only the accounts that shard N now wins, about 1/(N+1) of them, and each of them to the new
 * shard; the others stay where their data is.
 */
export function shardOf(appid: string, count: number): number {
  let best = 0;
  let bestWeight = -1;
  for (let s = 0; s < count; s++) {
    const w = weight(appid, s);
    if (w > bestWeight) {
      best = s;
      bestWeight = w;
    }
  }
  return best;
}

export function inShard(appid: string, shard: Shard): boolean {
  return shard.count === 1 || shardOf(appid, shard.count) === shard.index;
}
