import { describe, expect, it } from 'vitest';
import { createSeededRng } from '../bg-nbd/simulate.ts';
import { hyp2f1, lnGamma } from '../special-functions/special-functions.ts';
import { fitParetoNbd } from './fit.ts';
import { logA0ByQuadrature as logA0ByPanels, paretoNbdLogA0, paretoNbdLogLikelihood } from './likelihood.ts';
import type { ParetoNbdParams } from './likelihood.ts';
import { paretoNbdConditionalExpectedPurchases, paretoNbdExpectedPurchases, paretoNbdProbabilityAlive, paretoNbdProbabilityNoPurchase } from './predict.ts';
import { simulateParetoNbd } from './simulate.ts';

/** FHL 2005's CDNOW Pareto/NBD parameters (weeks). */
const params: ParetoNbdParams = { r: 0.553, alpha: 10.578, s: 0.606, beta: 11.669 };

/** Histories (x, t_x, T) in weeks: CDNOW IDs 1 and 6, a one-time buyer, a heavy buyer, one who just bought. */
const histories: readonly (readonly [number, number, number])[] = [
  [2, 30.43, 38.86],
  [7, 29.43, 38.86],
  [0, 0, 38.86],
  [26, 30.86, 31],
  [3, 20, 20],
];

/** ln[(r+s+x)·∫_from^to (α+τ)^−(r+x) (β+τ)^−(s+1) dτ] by the midpoint rule, scaled by the integrand at `from`. */
function logA0ByQuadrature(p: ParetoNbdParams, x: number, from: number, to: number): number {
  const n = 100_000;
  const h = (to - from) / n;
  const lnIntegrand = (tau: number): number => -(p.r + x) * Math.log(p.alpha + tau) - (p.s + 1) * Math.log(p.beta + tau);
  const scale = lnIntegrand(from);
  let sum = 0;
  for (let i = 0; i < n; i++) sum += Math.exp(lnIntegrand(from + (i + 0.5) * h) - scale);
  return Math.log((p.r + p.s + x) * sum * h) + scale;
}

/**
 * Nodes and weights for E[f(v)] with v ~ Gamma(shape, rate) by the midpoint rule. For shape < 1 the rule runs on
 * u = v^shape, whose density rate^shape/Γ(shape+1)·e^(−rate·u^(1/shape)) is bounded where v's is not.
 */
function gammaNodes(shape: number, rate: number, n: number): { v: Float64Array; w: Float64Array } {
  const vMax = (shape + 14 * Math.sqrt(shape) + 40) / rate;
  const v = new Float64Array(n);
  const w = new Float64Array(n);
  if (shape < 1) {
    const h = vMax ** shape / n;
    const lnC = shape * Math.log(rate) - lnGamma(shape + 1);
    for (let i = 0; i < n; i++) {
      v[i] = ((i + 0.5) * h) ** (1 / shape);
      w[i] = Math.exp(lnC - rate * v[i]!) * h;
    }
    return { v, w };
  }
  const h = vMax / n;
  const lnC = shape * Math.log(rate) - lnGamma(shape);
  for (let i = 0; i < n; i++) {
    v[i] = (i + 0.5) * h;
    w[i] = Math.exp(lnC + (shape - 1) * Math.log(v[i]!) - rate * v[i]!) * h;
  }
  return { v, w };
}

/** Brute-force P(no purchase in (T, T+t]) as a double integral over the posterior of (λ, μ) given alive at T. */
function noPurchaseByDoubleIntegral(p: ParetoNbdParams, t: number, x: number, tx: number, T: number): number {
  const lam = gammaNodes(p.r + x, p.alpha + T, 3000);
  const mu = gammaNodes(p.s, p.beta + T, 3000);
  let given = 0;
  for (let i = 0; i < lam.v.length; i++) {
    let inner = 0;
    for (let j = 0; j < mu.v.length; j++) {
      const total = lam.v[i]! + mu.v[j]!;
      const quiet = Number.isFinite(t) ? Math.exp(-total * t) : 0;
      inner += mu.w[j]! * (quiet + (mu.v[j]! / total) * (1 - quiet));
    }
    given += lam.w[i]! * inner;
  }
  const alive = paretoNbdProbabilityAlive(p, x, tx, T);
  return 1 - alive + alive * given;
}

describe('paretoNbdLogLikelihood', () => {
  it('evaluates A0 like a direct quadrature of its integral, in both the α ≥ β and the α < β branch', () => {
    for (const p of [params, { ...params, alpha: 12, beta: 3 }, { r: 2, alpha: 0.3, s: 0.6, beta: 5 }]) {
      for (const [x, tx, T] of histories) {
        if (tx === T) continue;
        expect(Math.abs(paretoNbdLogA0(p, x, tx, T) - logA0ByQuadrature(p, x, tx, T))).toBeLessThan(1e-6);
      }
    }
  });

  it('is continuous where the A0 formula switches branch (α = β)', () => {
    const rows = { frequency: [0, 2, 7, 26], recency: [0, 30.43, 29.43, 30.86], age: [38.86, 38.86, 38.86, 31] };
    const at = paretoNbdLogLikelihood({ ...params, beta: params.alpha }, rows);
    expect(paretoNbdLogLikelihood({ ...params, beta: params.alpha * (1 + 1e-12) }, rows)).toBeCloseTo(at, 8);
    expect(paretoNbdLogLikelihood({ ...params, beta: params.alpha * (1 - 1e-12) }, rows)).toBeCloseTo(at, 8);
  });

  it('evaluates A0 where the stdlib ₂F₁ fails (α < β, s in the hundreds) like a direct quadrature', () => {
    for (const p of [
      { r: 0.9, alpha: 0.2, s: 300, beta: 900 },
      { r: 1, alpha: 0.05, s: 1000, beta: 300 },
    ]) {
      for (const [x, tx, T] of [
        [0, 0, 1],
        [3, 0.5, 0.9],
      ] as const) {
        const closed = paretoNbdLogA0(p, x, tx, T);
        expect(Number.isFinite(closed)).toBe(true);
        expect(Math.abs(closed - logA0ByQuadrature(p, x, tx, T))).toBeLessThan(1e-6);
      }
    }
  });

  it('uses a quadrature for α < β with z > 0.9 that agrees with the ₂F₁ route to 1e-11 where that still works', () => {
    // The α < β branch of note 009 written out with the Euler-form ₂F₁, as the likelihood uses it for z <= 0.9.
    const viaHyp2f1 = (p: ParetoNbdParams, x: number, tx: number, T: number): number => {
      const rsx = p.r + p.s + x;
      const d = p.beta - p.alpha;
      const lnF = (y: number): number => (1 - p.r - x) * Math.log1p(-d / y) + Math.log(hyp2f1(1, p.s + 1, rsx + 1, d / y)) - rsx * Math.log(y);
      const near = lnF(p.beta + tx);
      return near + Math.log(-Math.expm1(lnF(p.beta + T) - near));
    };
    let compared = 0;
    for (const r of [0.3, 2.5]) {
      for (const s of [0.3, 5, 100]) {
        for (const [x, tx, T] of [
          [0, 0, 1],
          [3, 0.5, 0.9],
          [40, 0.2, 1],
        ] as const) {
          const p = { r, alpha: 0.02, s, beta: 10 };
          expect((p.beta - p.alpha) / (p.beta + tx)).toBeGreaterThan(0.9);
          expect(Math.abs(paretoNbdLogA0(p, x, tx, T) - viaHyp2f1(p, x, tx, T))).toBeLessThan(1e-11);
          compared++;
        }
      }
    }
    expect(compared).toBe(18);
  });

  it('sums a few dozen panels where r+s+x is in the thousands, not thousands of panels of one width', () => {
    for (const [p, x, tx, T] of [
      [{ r: 3000, alpha: 10, s: 0.016, beta: 0.005 }, 0, 0, 1],
      [{ r: 3000, alpha: 10, s: 5, beta: 0.005 }, 40, 0.2, 1],
      [{ r: 0.9, alpha: 0.2, s: 300, beta: 900 }, 3, 0.5, 0.9],
      [{ r: 1, alpha: 0.05, s: 20_000, beta: 300 }, 0, 0, 1],
    ] as const) {
      const stats = { panels: 0 };
      const lnA0 = logA0ByPanels(p, x, tx, T, stats);
      expect(Math.abs(lnA0 - logA0ByQuadrature(p, x, tx, T))).toBeLessThan(1e-6 * Math.max(1, Math.abs(lnA0)));
      expect(stats.panels).toBeGreaterThan(0);
      expect(stats.panels).toBeLessThanOrEqual(64);
    }
  });

  it('uses the quadrature for α ≥ β with z > 0.9 too, agreeing with the ₂F₁ route (thousands of terms there) to 1e-11', () => {
    // The α ≥ β branch of note 009 written out with the Euler-form ₂F₁, as the likelihood uses it for z <= 0.9.
    const viaHyp2f1 = (p: ParetoNbdParams, x: number, tx: number, T: number): number => {
      const rsx = p.r + p.s + x;
      const d = p.alpha - p.beta;
      const lnF = (y: number): number => -p.s * Math.log1p(-d / y) + Math.log(hyp2f1(1, p.r + x, rsx + 1, d / y)) - rsx * Math.log(y);
      const near = lnF(p.alpha + tx);
      return near + Math.log(-Math.expm1(lnF(p.alpha + T) - near));
    };
    let compared = 0;
    // r = 3,000 with z = 0.9995 is where a 193-order shop's optimiser went (ln A0 by the series took ~0.1 ms a call).
    for (const r of [0.3, 2.5, 3000]) {
      for (const s of [0.016, 0.3, 5]) {
        for (const [x, tx, T] of [
          [0, 0, 1],
          [3, 0.5, 0.9],
          [40, 0.2, 1],
        ] as const) {
          const p = { r, alpha: 10, s, beta: 0.005 };
          expect((p.alpha - p.beta) / (p.alpha + tx)).toBeGreaterThan(0.9);
          const lnA0 = paretoNbdLogA0(p, x, tx, T);
          const series = viaHyp2f1(p, x, tx, T);
          // Where the series gives up (NaN at r = 3,000), against the direct midpoint rule instead.
          if (Number.isFinite(series)) {
            expect(Math.abs(lnA0 - series)).toBeLessThan(1e-11 * Math.max(1, Math.abs(series)));
            compared++;
          } else expect(Math.abs(lnA0 - logA0ByQuadrature(p, x, tx, T))).toBeLessThan(1e-6 * Math.abs(lnA0));
        }
      }
    }
    expect(compared).toBe(22);
  });

  it('stays finite for a very heavy buyer (x = 2,000) in both branches', () => {
    for (const p of [params, { ...params, alpha: 1, beta: 50 }]) {
      const ll = paretoNbdLogLikelihood(p, { frequency: [2000], recency: [30], age: [520] });
      expect(Number.isFinite(ll)).toBe(true);
    }
  });
});

describe('fitParetoNbd', () => {
  it('recovers the parameters of data simulated from Pareto/NBD (seed 20261202, 8,000 customers)', () => {
    const truth = { r: 0.6, alpha: 8, s: 0.8, beta: 12 };
    const rng = createSeededRng(20261202);
    const sim = simulateParetoNbd(
      truth,
      Float64Array.from({ length: 8_000 }, () => 40 + 12 * rng()),
      rng,
    );
    const fit = fitParetoNbd(sim);
    expect(fit.ok).toBe(true);
    if (!fit.ok) return;
    const p = fit.value.params;
    expect(fit.value.penalizer).toBe(0);
    expect(Math.abs(p.r / truth.r - 1)).toBeLessThan(0.1);
    expect(Math.abs(p.alpha / truth.alpha - 1)).toBeLessThan(0.15);
    expect(Math.abs(p.s / truth.s - 1)).toBeLessThan(0.35);
    expect(Math.abs(p.beta / truth.beta - 1)).toBeLessThan(0.5);
    expect(fit.value.logLikelihood).toBeGreaterThanOrEqual(paretoNbdLogLikelihood(truth, sim));
  });

  it('gives the same MLE on weighted rows, on unweighted rows and on three stacked copies', () => {
    const rng = createSeededRng(11);
    const sim = simulateParetoNbd(
      { r: 0.5, alpha: 6, s: 0.7, beta: 10 },
      Float64Array.from({ length: 1_500 }, () => 40 + 12 * rng()),
      rng,
    );
    const rows = Array.from(sim.frequency, (x, i) => [x, Math.ceil(sim.recency[i]! * 7) / 7, Math.ceil(sim.age[i]! * 7) / 7] as const);
    const weightOf = new Map<string, number>();
    for (const row of rows) weightOf.set(row.join(','), (weightOf.get(row.join(',')) ?? 0) + 1);
    const unique = [...weightOf.keys()].map((k) => k.split(',').map(Number));
    const weighted = fitParetoNbd({
      frequency: unique.map((u) => u[0]!),
      recency: unique.map((u) => u[1]!),
      age: unique.map((u) => u[2]!),
      weight: [...weightOf.values()],
    });
    const plain = fitParetoNbd({ frequency: rows.map((r) => r[0]), recency: rows.map((r) => r[1]), age: rows.map((r) => r[2]) });
    const stacked = fitParetoNbd({
      frequency: [...rows, ...rows, ...rows].map((r) => r[0]),
      recency: [...rows, ...rows, ...rows].map((r) => r[1]),
      age: [...rows, ...rows, ...rows].map((r) => r[2]),
    });
    expect(weighted.ok && plain.ok && stacked.ok).toBe(true);
    if (!weighted.ok || !plain.ok || !stacked.ok) return;
    expect(unique.length).toBeLessThan(rows.length);
    for (const key of ['r', 'alpha', 's', 'beta'] as const) {
      expect(weighted.value.params[key] / plain.value.params[key]).toBeCloseTo(1, 4);
      expect(stacked.value.params[key] / plain.value.params[key]).toBeCloseTo(1, 4);
    }
    expect(stacked.value.logLikelihood / plain.value.logLikelihood).toBeCloseTo(3, 6);
  });

  it('returns no-repeat-customers when nobody bought twice', () => {
    expect(fitParetoNbd({ frequency: [0, 0, 0], recency: [0, 0, 0], age: [10, 20, 30] })).toEqual({ ok: false, reason: 'no-repeat-customers' });
  });

  it('returns did-not-converge when every repeat buyer is still buying at T', () => {
    // No sign of dropout at all: the dropout rate runs to 0 (s → 0), a boundary that no L2 penalty pulls back.
    const rows = { frequency: [5, 5, 5, 0], recency: [50, 50, 50, 0], age: [50, 50, 50, 50] };
    expect(fitParetoNbd(rows)).toEqual({ ok: false, reason: 'did-not-converge' });
  });

  it('fits homogeneous dropout (s, β → ∞ along a flat ridge) to the right mean rates, and reports the penalizer used', () => {
    const rng = createSeededRng(1);
    const sim = simulateParetoNbd(
      { r: 1, alpha: 10, s: 1e5, beta: 3e6 },
      Float64Array.from({ length: 300 }, () => 20 + 30 * rng()),
      rng,
    );
    for (const fit of [fitParetoNbd(sim), fitParetoNbd(sim, { penalizer: 0.001 })]) {
      expect(fit.ok).toBe(true);
      if (!fit.ok) return;
      const p = fit.value.params;
      // Mean purchase rate r/α (true 0.1 a week) and mean dropout rate s/β (true 1/30 a week).
      expect(Math.abs(p.r / p.alpha / 0.1 - 1)).toBeLessThan(0.15);
      expect(Math.abs((p.s / p.beta) * 30 - 1)).toBeLessThan(0.5);
    }
    const penalised = fitParetoNbd(sim, { penalizer: 0.001 });
    expect(penalised.ok && penalised.value.penalizer).toBe(0.001);
  });

  it('throws on rows that break 0 <= t_x <= T', () => {
    expect(() => fitParetoNbd({ frequency: [1], recency: [5], age: [4] })).toThrow(RangeError);
  });
});

describe('paretoNbdProbabilityAlive', () => {
  it('stays in [0, 1], is 1 right after a purchase and exactly 0 at extreme inactivity', () => {
    for (const [x, tx, T] of histories) {
      const p = paretoNbdProbabilityAlive(params, x, tx, T);
      expect(p).toBeGreaterThanOrEqual(0);
      expect(p).toBeLessThanOrEqual(1);
    }
    expect(paretoNbdProbabilityAlive(params, 3, 20, 20)).toBe(1);
    expect(paretoNbdProbabilityAlive(params, 1000, 10, 100)).toBe(0);
  });

  it('decays with T for one-time buyers', () => {
    const ages = [1, 10, 39, 100, 500];
    const p = ages.map((T) => paretoNbdProbabilityAlive(params, 0, 0, T));
    for (let i = 1; i < p.length; i++) expect(p[i]!).toBeLessThan(p[i - 1]!);
  });
});

describe('paretoNbdExpectedPurchases', () => {
  it('equals the conditional expectation of a customer observed for zero time (x = 0, T = 0)', () => {
    for (const t of [1, 10, 39, 100]) {
      expect(paretoNbdExpectedPurchases(params, t)).toBeCloseTo(paretoNbdConditionalExpectedPurchases(params, t, 0, 0, 0), 12);
    }
  });

  it('is continuous through the removable singularity s = 1', () => {
    const at = paretoNbdExpectedPurchases({ ...params, s: 1 }, 39);
    expect(paretoNbdExpectedPurchases({ ...params, s: 1 + 1e-9 }, 39)).toBeCloseTo(at, 8);
    expect(paretoNbdExpectedPurchases({ ...params, s: 1 - 1e-9 }, 39)).toBeCloseTo(at, 8);
    expect(paretoNbdConditionalExpectedPurchases({ ...params, s: 1 + 1e-9 }, 39, 2, 30.43, 38.86)).toBeCloseTo(
      paretoNbdConditionalExpectedPurchases({ ...params, s: 1 }, 39, 2, 30.43, 38.86),
      8,
    );
  });
});

describe('paretoNbdProbabilityNoPurchase', () => {
  it('is 1 at t = 0 and non-increasing in t', () => {
    for (const [x, tx, T] of histories) {
      expect(paretoNbdProbabilityNoPurchase(params, 0, x, tx, T)).toBe(1);
      let previous = 1;
      for (const t of [0.01, 0.1, 1, 4, 13, 39, 104, 520, 5200]) {
        const p = paretoNbdProbabilityNoPurchase(params, t, x, tx, T);
        expect(p).toBeLessThanOrEqual(previous);
        expect(p).toBeGreaterThanOrEqual(0);
        previous = p;
      }
    }
  });

  it('falls from 1 at the rate P(alive)·E[λ | alive] = P(alive)·(r+x)/(α+T) as t → 0', () => {
    const t = 1e-7;
    for (const [x, tx, T] of histories) {
      const slope = (1 - paretoNbdProbabilityNoPurchase(params, t, x, tx, T)) / t;
      const expected = (paretoNbdProbabilityAlive(params, x, tx, T) * (params.r + x)) / (params.alpha + T);
      expect(Math.abs(slope / expected - 1)).toBeLessThan(1e-5);
    }
  });

  it('tends to 1 − P(alive)·E[λ/(λ+μ)] as t → ∞, which is 1 − P(alive)·(r+x)/(r+s+x) when α = β', () => {
    const equal = { ...params, beta: params.alpha };
    for (const [x, tx, T] of histories) {
      const alive = paretoNbdProbabilityAlive(equal, x, tx, T);
      const limit = 1 - (alive * (equal.r + x)) / (equal.r + equal.s + x);
      expect(paretoNbdProbabilityNoPurchase(equal, Number.POSITIVE_INFINITY, x, tx, T)).toBeCloseTo(limit, 12);
      expect(paretoNbdProbabilityNoPurchase(equal, 1e9, x, tx, T)).toBeCloseTo(limit, 6);
    }
  });

  it('matches a brute-force double integral over the posterior of λ and μ, including t = ∞', () => {
    for (const [x, tx, T] of [histories[0]!, histories[1]!, histories[2]!]) {
      for (const t of [1, 13, 39, Number.POSITIVE_INFINITY]) {
        const closed = paretoNbdProbabilityNoPurchase(params, t, x, tx, T);
        expect(Math.abs(closed - noPurchaseByDoubleIntegral(params, t, x, tx, T))).toBeLessThan(2e-5);
      }
    }
  });

  it('equals the likelihood ratio L(x, t_x, T+t) / L(x, t_x, T)', () => {
    for (const [x, tx, T] of histories) {
      for (const t of [1, 39, 520]) {
        const ratio = Math.exp(
          paretoNbdLogLikelihood(params, { frequency: [x], recency: [tx], age: [T + t] }) -
            paretoNbdLogLikelihood(params, { frequency: [x], recency: [tx], age: [T] }),
        );
        expect(paretoNbdProbabilityNoPurchase(params, t, x, tx, T)).toBeCloseTo(ratio, 12);
      }
    }
  });
});
