/**
 * Seeded, reproducible randomness for the simulated traffic. Only integer hashing and plain
 * arithmetic (plus one Math.exp), so a given seed gives the same numbers on every run and host.
 */

/** A 32-bit hash of the parts: FNV-1a, then the murmur3 finaliser so nearby inputs scatter. */
export function hash32(...parts: readonly (string | number)[]): number {
  const s = parts.join('\u001f');
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** A stream of uniform numbers in [0, 1) (mulberry32). */
export type Rng = () => number;

export function rngFor(...parts: readonly (string | number)[]): Rng {
  let a = hash32(...parts);
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function uniform(rng: Rng, lo: number, hi: number): number {
  return lo + (hi - lo) * rng();
}

/** An integer in lo..hi, both included. */
export function uniformInt(rng: Rng, lo: number, hi: number): number {
  return lo + Math.floor(rng() * (hi - lo + 1));
}

/** Approximately standard normal (Irwin–Hall: twelve uniforms), bounded to ±6. */
export function standardNormal(rng: Rng): number {
  let sum = 0;
  for (let i = 0; i < 12; i++) sum += rng();
  return sum - 6;
}

/** A Poisson draw: exact (Knuth) for small means, normal approximation for large ones. */
export function poisson(rng: Rng, mean: number): number {
  if (!(mean > 0)) return 0;
  if (mean < 30) {
    const limit = Math.exp(-mean);
    let k = 0;
    let p = rng();
    while (p > limit) {
      k++;
      p *= rng();
    }
    return k;
  }
  return Math.max(0, Math.round(mean + Math.sqrt(mean) * standardNormal(rng)));
}

/** A binomial draw (n trials, probability p), always within 0..n. */
export function binomial(rng: Rng, n: number, p: number): number {
  if (n <= 0 || !(p > 0)) return 0;
  if (p >= 1) return n;
  if (n <= 40) {
    let k = 0;
    for (let i = 0; i < n; i++) if (rng() < p) k++;
    return k;
  }
  const mean = n * p;
  const draw = mean < 30 && p < 0.1 ? poisson(rng, mean) : Math.round(mean + Math.sqrt(mean * (1 - p)) * standardNormal(rng));
  return Math.min(n, Math.max(0, draw));
}
