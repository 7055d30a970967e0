/**
 * Seeded randomness for the simulator, addressed by (seed, stream, index) rather than drawn in
 * sequence: the handle time of case 1234 is the same number whatever happened before it, in
 * whichever configuration. That is what makes `--compare` use common random numbers (the same
 * arrivals and the same draws against both configurations), so the difference between two runs is
 * the configuration's and not the dice's.
 */

/** A 32-bit integer hash with full avalanche (the "lowbias32" finaliser of hash-prospector). */
export function mix32(x: number): number {
  let h = x >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x7feb352d);
  h ^= h >>> 15;
  h = Math.imul(h, 0x846ca68b);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Streams: each kind of draw has its own, so adding a draw of one kind never shifts another. */
export const STREAMS = {
  arrivals: 1,
  handle: 2,
  attributes: 3,
  replication: 4,
  /** Which logged case a generated one takes its attributes from (`--poisson log`). */
  resample: 5,
} as const;

function key(seed: number, stream: number, index: number): number {
  return mix32(mix32(mix32(seed ^ 0x5bd1e995) ^ Math.imul(stream + 1, 0x9e3779b9)) ^ index);
}

/** A uniform number in the open interval (0, 1), 53 bits, determined by (seed, stream, index). */
export function uniformAt(seed: number, stream: number, index: number): number {
  const k = key(seed, stream, index);
  const hi = mix32(k ^ 0x68e31da4) >>> 5; // 27 bits
  const lo = mix32(k ^ 0xb5297a4d) >>> 6; // 26 bits
  return (hi * 67108864 + lo + 0.5) / 9007199254740992;
}

/** A generator of uniforms in (0, 1) for one (seed, stream, index): for draws that need several (rejection sampling). */
export function randomAt(seed: number, stream: number, index: number): () => number {
  let state = key(seed, stream, index);
  // mulberry32 on the keyed state, two outputs per number for 53 bits.
  const next32 = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  };
  return () => ((next32() >>> 5) * 67108864 + (next32() >>> 6) + 0.5) / 9007199254740992;
}

/** The seed of replication `r` of a run seeded `seed` (replication 0 is the seed itself). */
export function replicationSeed(seed: number, r: number): number {
  return r === 0 ? seed >>> 0 : key(seed, STREAMS.replication, r);
}
