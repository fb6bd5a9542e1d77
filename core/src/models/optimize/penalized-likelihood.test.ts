import { describe, expect, it } from 'vitest';
import { penalizedNegativeLogLikelihood } from './penalized-likelihood.ts';

// ln L = Σ_i (θ-independent) c_i · ln v_i with v = exp(θ): ∂ln L/∂θ_i = c_i.
const coefficients = [2, -3];
const logLikelihood = (values: readonly number[], gradient: Float64Array): number => {
  let ll = 0;
  values.forEach((v, i) => {
    ll += coefficients[i]! * Math.log(v);
    gradient[i] = coefficients[i]!;
  });
  return ll;
};

describe('penalizedNegativeLogLikelihood', () => {
  it('returns −ln L / W plus penalizer · Σ v² and its gradient in ln space', () => {
    const f = penalizedNegativeLogLikelihood(2, 4, 0.5, logLikelihood);
    const theta = Float64Array.of(Math.log(2), Math.log(3));
    const grad = new Float64Array(2);
    const value = f(theta, grad);
    expect(value).toBeCloseTo(-(2 * Math.log(2) - 3 * Math.log(3)) / 4 + 0.5 * (4 + 9), 12);
    expect(grad[0]).toBeCloseTo(-2 / 4 + 0.5 * 2 * 4, 12);
    expect(grad[1]).toBeCloseTo(3 / 4 + 0.5 * 2 * 9, 12);
  });

  it('matches a central finite difference of its own value', () => {
    const f = penalizedNegativeLogLikelihood(2, 3, 0.1, logLikelihood);
    const theta = Float64Array.of(0.3, -0.7);
    const grad = new Float64Array(2);
    f(theta, grad);
    const scratch = new Float64Array(2);
    for (let i = 0; i < 2; i++) {
      const up = Float64Array.from(theta);
      const down = Float64Array.from(theta);
      up[i]! += 1e-6;
      down[i]! -= 1e-6;
      expect((f(up, scratch) - f(down, scratch)) / 2e-6).toBeCloseTo(grad[i]!, 6);
    }
  });
});
