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

  it('with a value tolerance, stops on a ridge where f changes by less than that share, and not elsewhere', () => {
    // f = 1 + (x − y)² − 1e-8·ln(1 + x + y): it falls without end along x = y, by less than 1e-8 a step there
    // (a ridge as Pareto/NBD's, s and β growing together).
    const ridge = (t: Float64Array, g: Float64Array): number => {
      const [x, y] = [t[0]!, t[1]!];
      const along = 1 + Math.max(x + y, -0.999);
      g[0] = 2 * (x - y) - 1e-8 / along;
      g[1] = -2 * (x - y) - 1e-8 / along;
      return 1 + (x - y) ** 2 - 1e-8 * Math.log(along);
    };
    const free = minimizeBfgs(ridge, [0, 0.5], { gradientTolerance: 1e-12 });
    const stopped = minimizeBfgs(ridge, [0, 0.5], { gradientTolerance: 1e-12, valueTolerance: 1e-8 });
    expect(free.theta[0]).toBeGreaterThan(1000);
    expect(stopped.converged).toBe(true);
    expect(stopped.iterations).toBeLessThan(free.iterations);
    expect(stopped.theta[0]).toBeLessThan(100);
    expect(Math.abs(stopped.theta[0]! - stopped.theta[1]!)).toBeLessThan(1e-6);
    // A strict minimum is still found to the gradient tolerance.
    const bowl = minimizeBfgs(
      (t, g) => {
        g[0] = 2 * (t[0]! - 3);
        return (t[0]! - 3) ** 2 + 5;
      },
      [0],
      { gradientTolerance: 1e-10, valueTolerance: 1e-8 },
    );
    expect(bowl.theta[0]).toBeCloseTo(3, 8);
  });
});
