/** Why a model could not be fitted to a data set: each is shown to the merchant, none is a bug. */
export const ModelFitFailure = {
  /** No customer rows (or zero total weight). */
  noCustomers: 'no-customers',
  /** Nobody bought twice: the purchase and dropout processes cannot be told apart. */
  noRepeatCustomers: 'no-repeat-customers',
  /** Every customer is brand new (T = 0 for all): there is no observation time. */
  noHistory: 'no-history',
  /** The optimiser stopped without reaching a stationary point, or ran to a boundary (a parameter → 0 or ∞). */
  didNotConverge: 'did-not-converge',
  /** Gamma-Gamma: q ≤ 1, so the population mean spend p·γ/(q−1) does not exist. */
  meanSpendUndefined: 'mean-spend-undefined',
} as const;
export type ModelFitFailure = (typeof ModelFitFailure)[keyof typeof ModelFitFailure];

/**
 * |ln θ| beyond this (θ outside [1e-5, 1e5], on data rescaled to max T = 1 and mean spend = 1) means the optimiser ran
 * to a boundary of the parameter space (e.g. a → 0: no sign of dropout), not to an interior maximum. Fitted CDNOW and
 * simulated shops sit well inside (|ln θ| < 3).
 */
export const LOG_PARAMETER_BOUND = 11.5;
