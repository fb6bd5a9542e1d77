import { describe, expect, it } from 'vitest';
import { hashSeed, Random } from './random.ts';

function moments(draw: () => number, n: number): { mean: number; variance: number } {
  let sum = 0;
  let sumSq = 0;
  for (let i = 0; i < n; i++) {
    const x = draw();
    sum += x;
    sumSq += x * x;
  }
  const mean = sum / n;
  return { mean, variance: sumSq / n - mean * mean };
}

describe('Random', () => {
  it('repeats its sequence for the same seed and differs for another', () => {
    const a = new Random(123);
    const b = new Random(123);
    const c = new Random(124);
    const seqA = Array.from({ length: 8 }, () => a.uint32());
    expect(Array.from({ length: 8 }, () => b.uint32())).toEqual(seqA);
    expect(Array.from({ length: 8 }, () => c.uint32())).not.toEqual(seqA);
    expect(new Random('shop').next()).toBe(new Random('shop').next());
    expect(hashSeed('a')).not.toBe(hashSeed('b'));
    expect(hashSeed(2 ** 40 + 1)).not.toBe(hashSeed(1));
  });

  it('derives independent, reproducible sub-streams', () => {
    const root = new Random(9);
    expect(root.derive(1, 2).next()).toBe(new Random(9).derive(1, 2).next());
    expect(root.derive(1, 2).next()).not.toBe(root.derive(2, 1).next());
    // Deriving does not consume the parent stream.
    const before = new Random(9).next();
    root.derive(5);
    expect(root.next()).toBe(before);
  });

  it('draws uniforms in [0, 1) with mean 1/2 and variance 1/12', () => {
    const rng = new Random(1);
    const { mean, variance } = moments(() => rng.next(), 200_000);
    expect(mean).toBeCloseTo(0.5, 2);
    expect(variance).toBeCloseTo(1 / 12, 3);
  });

  it.each([
    [0.45, 130],
    [2.5, 3],
    [4, 0.02],
  ])('draws Gamma(shape %f, rate %f) with mean k/θ and variance k/θ²', (shape, rate) => {
    const rng = new Random(2);
    const { mean, variance } = moments(() => rng.gamma(shape, rate), 200_000);
    expect(mean / (shape / rate)).toBeCloseTo(1, 1);
    expect(variance / (shape / rate ** 2)).toBeCloseTo(1, 1);
  });

  it('draws Beta(a, b) with mean a/(a+b)', () => {
    const rng = new Random(3);
    const { mean, variance } = moments(() => rng.beta(1, 1.6), 200_000);
    expect(mean).toBeCloseTo(1 / 2.6, 2);
    expect(variance).toBeCloseTo((1 * 1.6) / (2.6 * 2.6 * 3.6), 2);
  });

  it.each([0.3, 4, 45, 900])('draws Poisson(%f) with mean and variance equal to it', (lambda) => {
    const rng = new Random(4);
    const { mean, variance } = moments(() => rng.poisson(lambda), 100_000);
    expect(mean / lambda).toBeCloseTo(1, 1);
    expect(variance / lambda).toBeCloseTo(1, 1);
  });

  it('draws normals, exponentials and geometrics with their textbook moments', () => {
    const rng = new Random(5);
    const normal = moments(() => rng.normal(), 200_000);
    expect(normal.mean).toBeCloseTo(0, 1);
    expect(normal.variance).toBeCloseTo(1, 1);
    expect(moments(() => rng.exponential(0.25), 200_000).mean).toBeCloseTo(4, 0);
    expect(moments(() => rng.geometric(0.2), 200_000).mean).toBeCloseTo(4, 0);
  });

  it('rejects impossible parameters', () => {
    const rng = new Random(6);
    expect(() => rng.gamma(0, 1)).toThrow(RangeError);
    expect(() => rng.poisson(-1)).toThrow(RangeError);
    expect(() => rng.pick([])).toThrow(RangeError);
    expect(() => new Random(Number.NaN)).toThrow(RangeError);
  });
});
