import type { ObjectiveWithGradient } from './bfgs.ts';

/**
 * The objective the model fits minimise over θ = ln(parameters), as lifetimes fits: the negative log-likelihood per
 * unit of row weight plus an L2 penalty on the parameters, −ln L / W + penalizer · Σ exp(θ_i)². Working in ln space
 * keeps every parameter positive. `logLikelihood` receives the parameter values exp(θ) and writes ∂ln L/∂θ into
 * `gradient`.
 */
export function penalizedNegativeLogLikelihood(
  size: number,
  totalWeight: number,
  penalizer: number,
  logLikelihood: (values: readonly number[], gradient: Float64Array) => number,
): ObjectiveWithGradient {
  const gradient = new Float64Array(size);
  return (theta, grad) => {
    const values = Array.from({ length: size }, (_, i) => Math.exp(theta[i]!));
    const ll = logLikelihood(values, gradient);
    let penalty = 0;
    for (let i = 0; i < size; i++) {
      const v = values[i]!;
      penalty += v * v;
      grad[i] = -gradient[i]! / totalWeight + penalizer * 2 * v * v;
    }
    return -ll / totalWeight + penalizer * penalty;
  };
}
