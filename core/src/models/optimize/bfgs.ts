/**
 * Quasi-Newton minimisation (BFGS with a strong-Wolfe line search; Nocedal & Wright 2006, Numerical Optimization,
 * Algorithms 6.1, 3.5 and 3.6) for the 3–4 log-parameters of the BTYD models. Hand-written because the npm
 * minimisers (`fmin` 0.0.4, `optimization-js`) are unmaintained and none takes analytic gradients with a Wolfe line
 * search; the models need only this small, well-understood algorithm (clv-models.md §3, §4.7).
 */

/** Objective value at θ; writes ∂f/∂θ into `gradient`. */
export type ObjectiveWithGradient = (theta: Float64Array, gradient: Float64Array) => number;

export interface MinimizeOptions {
  /** Stop when max |∂f/∂θ_i| falls below this. Default 1e-8 (the objective is a per-customer mean). */
  gradientTolerance?: number;
  /** Give up after this many iterations. Default 400. */
  maxIterations?: number;
}

export interface MinimizeOutcome {
  theta: Float64Array;
  value: number;
  gradientNorm: number;
  iterations: number;
  evaluations: number;
  converged: boolean;
}

/** Minimises `f` from `start`; `converged` is false when the gradient test was never met (the caller reports it). */
export function minimizeBfgs(f: ObjectiveWithGradient, start: ArrayLike<number>, options: MinimizeOptions = {}): MinimizeOutcome {
  const n = start.length;
  const gtol = options.gradientTolerance ?? 1e-8;
  const maxIterations = options.maxIterations ?? 400;
  let evaluations = 0;
  const evaluate = (theta: Float64Array, gradient: Float64Array): number => {
    evaluations++;
    return f(theta, gradient);
  };

  let x: Float64Array = Float64Array.from(start);
  let g: Float64Array = new Float64Array(n);
  let fx = evaluate(x, g);
  if (!Number.isFinite(fx) || !allFinite(g)) {
    return { theta: x, value: fx, gradientNorm: Number.NaN, iterations: 0, evaluations, converged: false };
  }
  const H = identity(n);
  const direction = new Float64Array(n);
  const s = new Float64Array(n);
  const y = new Float64Array(n);
  const Hy = new Float64Array(n);
  let iterations = 0;
  let firstStep = true;

  while (iterations < maxIterations) {
    const gnorm = maxAbs(g);
    if (gnorm < gtol) return { theta: x, value: fx, gradientNorm: gnorm, iterations, evaluations, converged: true };
    iterations++;
    for (let i = 0; i < n; i++) {
      let sum = 0;
      for (let j = 0; j < n; j++) sum -= H[i * n + j]! * g[j]!;
      direction[i] = sum;
    }
    let slope = dot(direction, g);
    if (!(slope < 0)) {
      resetToIdentity(H, n);
      for (let i = 0; i < n; i++) direction[i] = -g[i]!;
      slope = dot(direction, g);
    }
    // The first step is scaled so that it moves θ by at most 1 (a factor e on the parameters).
    const initialStep = firstStep ? Math.min(1, 1 / maxAbs(direction)) : 1;
    const step = wolfeLineSearch(evaluate, x, fx, direction, slope, initialStep);
    if (step === null) {
      // No decrease possible along the search direction: only a stationary point at rounding level counts as converged.
      const gnormNow = maxAbs(g);
      return { theta: x, value: fx, gradientNorm: gnormNow, iterations, evaluations, converged: gnormNow < gtol * 1000 };
    }
    for (let i = 0; i < n; i++) {
      s[i] = step.x[i]! - x[i]!;
      y[i] = step.g[i]! - g[i]!;
    }
    x = step.x;
    g = step.g;
    fx = step.f;
    const sy = dot(s, y);
    if (sy > 1e-300) {
      if (firstStep) {
        // Nocedal & Wright eq. 6.20: scale the initial inverse Hessian before the first update.
        const scale = sy / dot(y, y);
        resetToIdentity(H, n, scale);
      }
      firstStep = false;
      for (let i = 0; i < n; i++) {
        let sum = 0;
        for (let j = 0; j < n; j++) sum += H[i * n + j]! * y[j]!;
        Hy[i] = sum;
      }
      const yHy = dot(y, Hy);
      const rho = 1 / sy;
      // H ← (I − ρ s yᵀ) H (I − ρ y sᵀ) + ρ s sᵀ, expanded.
      for (let i = 0; i < n; i++) {
        for (let j = 0; j < n; j++) {
          H[i * n + j] = H[i * n + j]! - rho * (Hy[i]! * s[j]! + s[i]! * Hy[j]!) + (rho * rho * yHy + rho) * s[i]! * s[j]!;
        }
      }
    }
  }
  return { theta: x, value: fx, gradientNorm: maxAbs(g), iterations, evaluations, converged: maxAbs(g) < gtol };
}

interface LinePoint {
  x: Float64Array;
  f: number;
  g: Float64Array;
}

function wolfeLineSearch(
  evaluate: (theta: Float64Array, gradient: Float64Array) => number,
  x0: Float64Array,
  f0: number,
  d: Float64Array,
  slope0: number,
  initialStep: number,
): LinePoint | null {
  const c1 = 1e-4;
  const c2 = 0.9;
  const n = x0.length;
  const at = (step: number): LinePoint & { slope: number } => {
    const x = new Float64Array(n);
    for (let i = 0; i < n; i++) x[i] = x0[i]! + step * d[i]!;
    const g = new Float64Array(n);
    const f = evaluate(x, g);
    const ok = Number.isFinite(f) && allFinite(g);
    return { x, f: ok ? f : Number.POSITIVE_INFINITY, g, slope: ok ? dot(g, d) : Number.NaN };
  };
  let prevStep = 0;
  let prevF = f0;
  let prevSlope = slope0;
  let step = initialStep;
  for (let k = 0; k < 30; k++) {
    const p = at(step);
    if (!Number.isFinite(p.f)) {
      // Stepped outside where the likelihood is finite: shrink towards the last good point.
      step = prevStep + (step - prevStep) * 0.25;
      continue;
    }
    if (p.f > f0 + c1 * step * slope0 || (k > 0 && p.f >= prevF)) {
      return zoom(at, f0, slope0, prevStep, prevF, prevSlope, step, p.f, p.slope, c1, c2);
    }
    if (Math.abs(p.slope) <= -c2 * slope0) return p;
    if (p.slope >= 0) return zoom(at, f0, slope0, step, p.f, p.slope, prevStep, prevF, prevSlope, c1, c2);
    prevStep = step;
    prevF = p.f;
    prevSlope = p.slope;
    step *= 2;
  }
  return null;
}

function zoom(
  at: (step: number) => LinePoint & { slope: number },
  f0: number,
  slope0: number,
  loStep: number,
  loF: number,
  loSlope: number,
  hiStep: number,
  hiF: number,
  hiSlope: number,
  c1: number,
  c2: number,
): LinePoint | null {
  let best: (LinePoint & { slope: number }) | null = null;
  for (let k = 0; k < 40; k++) {
    let step = cubicMinimizer(loStep, loF, loSlope, hiStep, hiF, hiSlope);
    const lo = Math.min(loStep, hiStep);
    const width = Math.abs(hiStep - loStep);
    if (!Number.isFinite(step) || step < lo + 0.1 * width || step > lo + 0.9 * width) step = (loStep + hiStep) / 2;
    const p = at(step);
    if (Number.isFinite(p.f) && p.f < f0 && (best === null || p.f < best.f)) best = p;
    if (!Number.isFinite(p.f) || p.f > f0 + c1 * step * slope0 || p.f >= loF) {
      hiStep = step;
      hiF = p.f;
      hiSlope = p.slope;
    } else {
      if (Math.abs(p.slope) <= -c2 * slope0) return p;
      if (p.slope * (hiStep - loStep) >= 0) {
        hiStep = loStep;
        hiF = loF;
        hiSlope = loSlope;
      }
      loStep = step;
      loF = p.f;
      loSlope = p.slope;
    }
    if (Math.abs(hiStep - loStep) < 1e-14) break;
  }
  // No Wolfe point found within the bracket: accept any decrease so BFGS can keep going or report.
  return best;
}

function cubicMinimizer(a: number, fa: number, da: number, b: number, fb: number, db: number): number {
  if (!Number.isFinite(fb) || !Number.isFinite(db)) return Number.NaN;
  const d1 = da + db - (3 * (fa - fb)) / (a - b);
  const disc = d1 * d1 - da * db;
  if (disc < 0) return Number.NaN;
  const d2 = Math.sign(b - a) * Math.sqrt(disc);
  return b - ((b - a) * (db + d2 - d1)) / (db - da + 2 * d2);
}

function identity(n: number): Float64Array {
  const H = new Float64Array(n * n);
  resetToIdentity(H, n);
  return H;
}

function resetToIdentity(H: Float64Array, n: number, scale = 1): void {
  H.fill(0);
  for (let i = 0; i < n; i++) H[i * n + i] = scale;
}

function dot(u: ArrayLike<number>, v: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < u.length; i++) sum += u[i]! * v[i]!;
  return sum;
}

function maxAbs(u: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < u.length; i++) m = Math.max(m, Math.abs(u[i]!));
  return m;
}

function allFinite(u: ArrayLike<number>): boolean {
  for (let i = 0; i < u.length; i++) if (!Number.isFinite(u[i]!)) return false;
  return true;
}
