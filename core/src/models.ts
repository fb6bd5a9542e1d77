// `@clvlens/core/models`: the models one by one, for the published-number tests, the benches and the CLI's model
// commands. The app and the extension need only the main entry (`fitChurnModels`, `scoreChurnRisk`,
// `buildCustomerInsights`). The simulators are in `@clvlens/core/simulate`, so that fitting and predicting do not load
// the random-number libraries. Every name here is in the export snapshot (test/src/exports/core-exports.test.ts).

/** BTYD summary: (x, t_x, T, m) per customer from counted orders, and its weighted unique rows (clv-models.md §2). */
export { compressSummaries, DAYS_PER_TIME_UNIT, summarizeOrders, TimeUnit } from './models/btyd-summary/btyd-summary.ts';
export type { CompressedSummaries, CustomerSummaries, FrequencyRecencyRows, HoldoutCounts, SummaryOptions } from './models/btyd-summary/btyd-summary.ts';
export type { CountedOrders } from './models/btyd-summary/counted-orders.ts';

/** Optimizer: BFGS on a log-likelihood with its gradient, and why a fit can fail. */
export { ModelFitFailure } from './models/optimize/fit-failure.ts';
export { minimizeBfgs } from './models/optimize/bfgs.ts';
export type { MinimizeOptions, MinimizeOutcome, ObjectiveWithGradient } from './models/optimize/bfgs.ts';

/** BG/NBD (Fader, Hardie & Lee 2005) and the beta-geometric family it shares with MBG/NBD. */
export { BetaGeoVariant, betaGeoLogLikelihood, bgNbdLogLikelihood, prepareRows } from './models/bg-nbd/likelihood.ts';
export type { BgNbdParams, PreparedRows } from './models/bg-nbd/likelihood.ts';
export { fitBetaGeo, fitBgNbd } from './models/bg-nbd/fit.ts';
export type { BetaGeoFitOptions, BgNbdFit } from './models/bg-nbd/fit.ts';
export {
  betaGeoConditionalExpectedPurchases,
  betaGeoExpectedPurchases,
  betaGeoProbabilityAlive,
  betaGeoProbabilityNoPurchase,
  bgNbdConditionalExpectedPurchases,
  bgNbdExpectedPurchases,
  bgNbdProbabilityAlive,
  bgNbdProbabilityNoPurchase,
  bgNbdPurchaseProbability,
} from './models/bg-nbd/predict.ts';

/** MBG/NBD (Batislam, Denizel & Filiztekin 2007): BG/NBD whose one-time buyers can drop out too. */
export { mbgNbdLogLikelihood } from './models/mbg-nbd/likelihood.ts';
export type { MbgNbdParams } from './models/mbg-nbd/likelihood.ts';
export { fitMbgNbd } from './models/mbg-nbd/fit.ts';
export { mbgNbdConditionalExpectedPurchases, mbgNbdExpectedPurchases, mbgNbdProbabilityAlive, mbgNbdProbabilityNoPurchase } from './models/mbg-nbd/predict.ts';

/** Pareto/NBD (Schmittlein, Morrison & Colombo 1987). */
export { paretoNbdLogLikelihood } from './models/pareto-nbd/likelihood.ts';
export type { ParetoNbdParams } from './models/pareto-nbd/likelihood.ts';
export { fitParetoNbd, PARETO_NBD, PARETO_NBD_PENALIZER_STEPS } from './models/pareto-nbd/fit.ts';
export type { ParetoNbdFit, ParetoNbdFitOptions } from './models/pareto-nbd/fit.ts';
export {
  paretoNbdConditionalExpectedPurchases,
  paretoNbdExpectedPurchases,
  paretoNbdProbabilityAlive,
  paretoNbdProbabilityNoPurchase,
} from './models/pareto-nbd/predict.ts';

/** MBG/CNBD-k (Platzer & Reutterer 2016): regular inter-purchase times. */
export { mbgCnbdCustomerLogLikelihood, mbgCnbdLogLikelihood } from './models/mbg-cnbd-k/likelihood.ts';
export type { MbgCnbdParams, MbgCnbdRows } from './models/mbg-cnbd-k/likelihood.ts';
export { fitMbgCnbdK, MBG_CNBD_K, MBG_CNBD_MAX_K } from './models/mbg-cnbd-k/fit.ts';
export type { MbgCnbdCandidate, MbgCnbdFit, MbgCnbdFitOptions } from './models/mbg-cnbd-k/fit.ts';
export {
  mbgCnbdConditionalExpectedPurchases,
  mbgCnbdExpectedPurchases,
  mbgCnbdProbabilityAlive,
  mbgCnbdProbabilityNoPurchase,
} from './models/mbg-cnbd-k/predict.ts';
export { computeLogIntervalSums } from './models/mbg-cnbd-k/log-intervals.ts';

/** Any fitted purchase model, used alike: conditional expected purchases and P(no purchase in a horizon). */
export { purchaseModelConditionalExpectedPurchases, purchaseModelProbabilityNoPurchase } from './models/purchase-model/purchase-model.ts';
export type { PurchaseModelFit } from './models/purchase-model/purchase-model.ts';

/** Gamma-Gamma spend (Fader & Hardie 2013), on repeat days or on all purchase days. */
export { gammaGammaLogLikelihood } from './models/gamma-gamma/likelihood.ts';
export type { GammaGammaParams, SpendRows } from './models/gamma-gamma/likelihood.ts';
export { fitGammaGamma, GAMMA_GAMMA_PENALIZER_STEPS } from './models/gamma-gamma/fit.ts';
export type { GammaGammaFit, GammaGammaFitOptions } from './models/gamma-gamma/fit.ts';
export { gammaGammaExpectedAverageValue, gammaGammaPopulationMean } from './models/gamma-gamma/predict.ts';
export { allPurchaseDaySpendRows, expectedOrderValueAllDays, fitGammaGammaAllDays } from './models/gamma-gamma/all-purchase-days.ts';
export type { PurchaseDaySpend } from './models/gamma-gamma/all-purchase-days.ts';

/** Discounted CLV per customer (clv-models.md §4.5) and the calibration/holdout comparison. */
export { DEFAULT_ANNUAL_DISCOUNT_RATE, discountedClv, discountedExpectedPurchases, predictCustomers, UNITS_PER_MONTH } from './models/clv/clv.ts';
export type { ClvOptions, CustomerPredictions } from './models/clv/clv.ts';
export { holdoutReport } from './models/holdout/holdout.ts';
export type { HoldoutFrequencyRow, HoldoutReport } from './models/holdout/holdout.ts';

/** Churn classifier and calibration: logistic regression, Platt scaling, isotonic regression. */
export {
  ClassifierFitFailure,
  fitLogisticRegression,
  logisticLinearPredictor,
  predictLogistic,
  sigmoid,
} from './models/logistic-regression/logistic-regression.ts';
export type { FeatureColumns, LogisticFitOptions, LogisticModel } from './models/logistic-regression/logistic-regression.ts';
export { applyIsotonic, fitIsotonic } from './models/calibration/isotonic.ts';
export type { IsotonicFitOptions, IsotonicModel } from './models/calibration/isotonic.ts';
export { applyPlatt, fitPlatt, PLATT_SCORE_EPSILON } from './models/calibration/platt.ts';
export type { PlattFitOptions, PlattModel } from './models/calibration/platt.ts';

/** Backtest scores: AUC, Brier, log loss, calibration table, MAE, top-decile capture. */
export {
  areaUnderRoc,
  brierScore,
  calibrationTable,
  EvaluationFailure,
  LOG_LOSS_EPSILON,
  logLoss,
  meanAbsoluteError,
  topDecileCapture,
} from './models/evaluation/evaluation.ts';
export type { CalibrationBin, CalibrationTable } from './models/evaluation/evaluation.ts';

/** Churn risk's inner workings: how the figures were produced, the backtest, the fallback rule's constants. */
export { ChurnFallbackReason, ChurnMethod, DEFAULT_TYPICAL_GAP_DAYS, MIN_REPEAT_CUSTOMERS_FOR_MODEL, PENALIZER_STEPS } from './models/churn-risk/churn-risk.ts';
export type { ChurnRiskAssessment } from './models/churn-risk/churn-risk.ts';
export { ChurnPredictionFailure, CLASSIFIER_FEATURES, transactionLikelyOrders, transactionModelFit } from './models/churn-risk/churn-prediction.ts';
export type { CandidateBacktest, ChurnBacktest, ChurnProbabilityModel, SpendBacktest } from './models/churn-risk/churn-prediction.ts';
