import { attemptOrder, byWeight, seededRng, weightedPick } from './selection';

const cands = (...weights: number[]) => weights.map((weight, index) => ({ weight, index, name: `c${index}` }));

describe('seededRng', () => {
  it('is deterministic for a seed and stays in [0, 1)', () => {
    const a = seededRng(42);
    const b = seededRng(42);
    const xs = Array.from({ length: 1000 }, () => a());
    expect(xs).toEqual(Array.from({ length: 1000 }, () => b()));
    expect(Math.min(...xs)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...xs)).toBeLessThan(1);
    expect(seededRng(43)()).not.toBe(seededRng(42)());
  });
});

describe('weightedPick', () => {
  it('converges on the configured proportions (5000 picks, seed 7, tolerance ±2.5 points)', () => {
    const items = cands(3, 1, 6);
    const rng = seededRng(7);
    const counts = [0, 0, 0];
    const N = 5000;
    for (let i = 0; i < N; i++) counts[weightedPick(items, rng)]!++;
    const shares = counts.map((c) => c / N);
    console.log(`selection split over ${N} picks for weights 3:1:6 → ${shares.map((s) => (s * 100).toFixed(1) + '%').join(' / ')}`);
    expect(shares[0]).toBeCloseTo(0.3, 1);
    [0.3, 0.1, 0.6].forEach((want, i) => expect(Math.abs(shares[i]! - want)).toBeLessThan(0.025));
  });

  it('never picks a zero-weight candidate while another has weight', () => {
    const rng = seededRng(1);
    for (let i = 0; i < 500; i++) expect(weightedPick(cands(0, 2, 0), rng)).toBe(1);
  });

  it('falls back to configuration order when every weight is zero, and -1 when empty', () => {
    const items = [
      { weight: 0, index: 4 },
      { weight: 0, index: 2 },
    ];
    expect(weightedPick(items, seededRng(1))).toBe(1);
    expect(weightedPick([], seededRng(1))).toBe(-1);
  });
});

describe('attemptOrder', () => {
  it('starts with the weighted pick and continues by weight among the remaining, ties by configuration order', () => {
    const items = cands(1, 5, 3, 3);
    // rng → 0.99 picks the last item by weight mass (c3); the rest by weight: c1 (5), c2 (3), c0 (1).
    expect(attemptOrder(items, () => 0.99).map((c) => c.name)).toEqual(['c3', 'c1', 'c2', 'c0']);
    // rng → 0 picks c0 first.
    expect(attemptOrder(items, () => 0).map((c) => c.name)).toEqual(['c0', 'c1', 'c2', 'c3']);
  });

  it('is deterministic under a seed', () => {
    const items = cands(2, 2, 2, 1);
    const run = () => Array.from({ length: 50 }, ((rng) => () => attemptOrder(items, rng).map((c) => c.index).join(''))(seededRng(99)));
    expect(run()).toEqual(run());
  });

  it('byWeight is stable', () => {
    expect(byWeight(cands(1, 2, 2, 0)).map((c) => c.index)).toEqual([1, 2, 0, 3]);
  });
});
