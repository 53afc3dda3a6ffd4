/** A source of uniform numbers in [0, 1). Production uses `Math.random`; tests pass {@link seededRng}. */
export type Rng = () => number;

/** mulberry32: a small, fast, well-distributed 32-bit PRNG, deterministic for a given seed. */
export function seededRng(seed: number): Rng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface Weighted {
  weight: number;
  /** Configuration order; breaks ties. */
  index: number;
}

/**
 * Weighted random choice: item i is picked with probability weight_i / Σ weight. When every weight is 0 (standby-only
 * candidates), the first in configuration order is picked. Returns the position in `items`, or -1 when empty.
 */
export function weightedPick(items: readonly Weighted[], rng: Rng): number {
  if (!items.length) return -1;
  const total = items.reduce((s, x) => s + Math.max(0, x.weight), 0);
  if (!(total > 0)) {
    let best = 0;
    items.forEach((x, i) => (x.index < items[best]!.index ? (best = i) : undefined));
    return best;
  }
  let r = rng() * total;
  for (let i = 0; i < items.length; i++) {
    r -= Math.max(0, items[i]!.weight);
    if (r < 0) return i;
  }
  // Floating-point leftovers: the last item with a positive weight.
  for (let i = items.length - 1; i >= 0; i--) if (items[i]!.weight > 0) return i;
  return items.length - 1;
}

/** Remaining candidates in failover order: by weight, heaviest first; configuration order breaks ties. */
export function byWeight<T extends Weighted>(items: readonly T[]): T[] {
  return [...items].sort((a, b) => b.weight - a.weight || a.index - b.index);
}

/**
 * The order in which a request tries the available candidates: the first is a weighted random choice (so traffic
 * converges on the configured proportions), the rest follow by weight among the remaining candidates.
 */
export function attemptOrder<T extends Weighted>(available: readonly T[], rng: Rng): T[] {
  const i = weightedPick(available, rng);
  if (i < 0) return [];
  const firstPick = available[i]!;
  return [firstPick, ...byWeight(available.filter((_, j) => j !== i))];
}
