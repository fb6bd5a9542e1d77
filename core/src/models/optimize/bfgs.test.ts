import { describe, expect, it } from 'vitest';
import { minimizeBfgs } from './bfgs.ts';

describe('minimizeBfgs', () => {
  it('finds the minimum of the Rosenbrock function from the textbook start (-1.2, 1)', () => {
    const out = minimizeBfgs(
      (t, g) => {
        const [x, y] = [t[0]!, t[1]!];
        g[0] = -2 * (1 - x) - 400 * x * (y - x * x);
        g[1] = 200 * (y - x * x);
        return (1 - x) ** 2 + 100 * (y - x * x) ** 2;
      },
      [-1.2, 1],
    );
    expect(out.converged).toBe(true);
    expect(out.theta[0]).toBeCloseTo(1, 6);
    expect(out.theta[1]).toBeCloseTo(1, 6);
  });

  it('reports no convergence on a function without a minimum', () => {
    const out = minimizeBfgs(
      (t, g) => {
        g[0] = -Math.exp(-t[0]!) - 1e-3;
        return Math.exp(-t[0]!) - t[0]! * 1e-3;
      },
      [0],
      { maxIterations: 50 },
    );
    expect(out.converged).toBe(false);
  });
});
