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

/** |ln θ| beyond this means the optimiser ran to a boundary of the parameter space, not to an interior maximum. */
export const LOG_PARAMETER_BOUND = 18;
