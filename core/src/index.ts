// Public entry of @clvlens/core: every export is listed by name. Each area keeps its own block; add lines to your
// block only.

// --- api contract (types only)
export type {
  ApiErrorCodeV1,
  ApiErrorV1,
  ChurnBacktestSummaryV1,
  ChurnTierV1,
  CustomerInsightV1,
  CustomerNamesV1,
  CustomersFeedV1,
  NotCountedReasonV1,
  PairRequestV1,
  PairResponseV1,
  RfmSegmentV1,
  ShopSettingsV1,
  ShopSummaryV1,
  TierChangeReasonV1,
  VipSlippingSummaryV1,
  VipSlippingV1,
} from './api/v1.ts';

// --- data model and descriptive metrics (issue 2)
export { CoreError, CoreErrorCode, CurrencyMismatchError } from './errors/core-error.ts';
export type { Result } from './result.ts';
export { addMoney, assertCurrencyCode, currencyExponent, formatMinorUnits, parseMinorUnits, ParseMoneyReason, sumMoney } from './money/money.ts';
export type { CurrencyCode, Money } from './money/money.ts';
export { assertTimeZone, DAY_MS, isValidTimeZone, timeZoneOffsetMs } from './time/zone-offsets.ts';
export {
  civilFromDayNumber,
  dayNumberFromCivil,
  endOfLocalDateMs,
  endOfLocalDayMs,
  formatDayNumber,
  formatLocalDate,
  formatMonthIndex,
  isoWeekStartDay,
  isoWeekStartMs,
  localDayNumber,
  localDayStartMs,
  monthIndexOfDay,
  monthStartDay,
  monthStartMs,
  parseLocalDate,
  ParseDateReason,
  parseMonth,
  startOfLocalDayMs,
} from './time/calendar.ts';
export type { CivilDate } from './time/calendar.ts';
export { assertOrderRecord, customerKeyOf, isCountedOrder, orderNetMinor, orderSkipReason, OrderSkipReason } from './orders/order.ts';
export type { OrderRecord } from './orders/order.ts';
export { prepareOrders, RefundAttribution } from './dataset/prepare.ts';
export type { OrderCounts, PreparedOrders, PrepareOptions } from './dataset/prepare.ts';
export { computeShopReport } from './report/shop-report.ts';
export type { ShopReport, ShopReportOptions, SurveyInput } from './report/shop-report.ts';
export { summarizeCustomers, summarizePreparedCustomers } from './metrics/customer-summary/customer-summary.ts';
export type { CustomerSummary, CustomerSummaryOptions } from './metrics/customer-summary/customer-summary.ts';
export { computeRepeatPurchaseRate, computeRepeatRateSeries } from './metrics/repeat-rate/repeat-rate.ts';
export type { RepeatPurchaseRate, RepeatRateSeries } from './metrics/repeat-rate/repeat-rate.ts';
export { computeReturningCustomerRate, RETURNING_VS_REPEAT_NOTE } from './metrics/returning-customer-rate/returning-customer-rate.ts';
export type { ReturningCustomerRate } from './metrics/returning-customer-rate/returning-customer-rate.ts';
export { computeAverageOrderValue, computeAverageOrderValueSeries } from './metrics/average-order-value/average-order-value.ts';
export type { AverageOrderValue } from './metrics/average-order-value/average-order-value.ts';
export { computeRepurchaseWithin } from './metrics/repurchase-window/repurchase-window.ts';
export type { RepurchaseCohort, RepurchaseRate, RepurchaseWithin } from './metrics/repurchase-window/repurchase-window.ts';
export { CHURN_ALERT_DEFAULTS, computeChurnTrend, computeInactivityChurn, detectChurnAlert } from './metrics/inactivity-churn/inactivity-churn.ts';
export type { ChurnAlert, ChurnTrend, InactivityChurn } from './metrics/inactivity-churn/inactivity-churn.ts';
export { computePeriodChurn, measurePeriod, periodEndingAt } from './metrics/period-churn/period-churn.ts';
export type { DayPeriod, PeriodActivity, PeriodChurn } from './metrics/period-churn/period-churn.ts';
export { computeProductRetention } from './metrics/product-retention/product-retention.ts';
export type { ProductRetention } from './metrics/product-retention/product-retention.ts';
export { computeHistoricClv } from './metrics/historic-clv/historic-clv.ts';
export type { HistoricClv } from './metrics/historic-clv/historic-clv.ts';
export { computeShopFormulaClv, expectedLifetimeYears, formulaClvMinor, LIFETIME_BOUNDS } from './metrics/formula-clv/formula-clv.ts';
export type { FormulaClvInputs, ShopFormulaClv } from './metrics/formula-clv/formula-clv.ts';
export { computeWindowedClv, computeWindowedClvSeries, WINDOWED_CLV_DEFAULTS } from './metrics/windowed-clv/windowed-clv.ts';
export type { ClvWindow, WindowedClv, WindowedClvSeries } from './metrics/windowed-clv/windowed-clv.ts';
export { computeCohortMatrix } from './metrics/cohort-matrix/cohort-matrix.ts';
export type { CohortMatrix, CohortRow } from './metrics/cohort-matrix/cohort-matrix.ts';
export { countRfmSegments, rfmCutPointsOf, RFM_SEGMENT_TABLE, RFM_SEGMENTS, rfmSegmentOf, scoreRfm, scoreRfmAgainst } from './metrics/rfm/rfm.ts';
export type { RfmCutPoints, RfmScores, RfmSegment, RfmValues } from './metrics/rfm/rfm.ts';
export { computeTimeBetweenOrders, GAP_BUCKET_UPPER_DAYS } from './metrics/time-between-orders/time-between-orders.ts';
export type { GapDistribution, TimeBetweenOrders } from './metrics/time-between-orders/time-between-orders.ts';
export { computeCsat, computeNps } from './metrics/surveys/surveys.ts';
export type { Csat, Nps } from './metrics/surveys/surveys.ts';
export { computeMrr, mrrMinor } from './metrics/mrr/mrr.ts';
export type { Mrr, MrrPoint } from './metrics/mrr/mrr.ts';
export { computeLtvCac } from './metrics/ltv-cac/ltv-cac.ts';
export type { CohortLtvCac, MonthlySpend } from './metrics/ltv-cac/ltv-cac.ts';
export { buildScorecard, DEFAULT_SCORECARD_TARGETS, SCORECARD_METRICS } from './metrics/scorecard/scorecard.ts';
export type { Scorecard, ScorecardMetric, ScorecardOptions, ScorecardRow, ScorecardStatus, ScorecardTargets } from './metrics/scorecard/scorecard.ts';

// --- predictive models and churn risk (issue 3)
export { compressSummaries, DAYS_PER_TIME_UNIT, summarizeOrders, TimeUnit } from './models/btyd-summary/btyd-summary.ts';
export { toCountedOrders } from './models/btyd-summary/counted-orders.ts';
export type { CountedOrders } from './models/btyd-summary/counted-orders.ts';
export type {
  CompressedSummaries,
  CountedOrder,
  CustomerSummaries,
  FrequencyRecencyRows,
  HoldoutCounts,
  SummaryOptions,
} from './models/btyd-summary/btyd-summary.ts';
export { ModelFitFailure } from './models/optimize/fit-failure.ts';
export { minimizeBfgs } from './models/optimize/bfgs.ts';
export type { MinimizeOptions, MinimizeOutcome, ObjectiveWithGradient } from './models/optimize/bfgs.ts';
export { BetaGeoVariant, betaGeoLogLikelihood, bgNbdLogLikelihood, prepareRows } from './models/bg-nbd/likelihood.ts';
export type { BgNbdParams, PreparedRows } from './models/bg-nbd/likelihood.ts';
export { fitBetaGeo, fitBgNbd } from './models/bg-nbd/fit.ts';
export type { BetaGeoFitOptions, BgNbdFit } from './models/bg-nbd/fit.ts';
export {
  betaGeoConditionalExpectedPurchases,
  betaGeoExpectedPurchases,
  betaGeoProbabilityAlive,
  bgNbdConditionalExpectedPurchases,
  bgNbdExpectedPurchases,
  bgNbdProbabilityAlive,
  bgNbdPurchaseProbability,
} from './models/bg-nbd/predict.ts';
export { createSeededRng, simulateBetaGeo, simulateBgNbd } from './models/bg-nbd/simulate.ts';
export type { SimulatedCustomers, UniformRng } from './models/bg-nbd/simulate.ts';
export { mbgNbdLogLikelihood } from './models/mbg-nbd/likelihood.ts';
export type { MbgNbdParams } from './models/mbg-nbd/likelihood.ts';
export { fitMbgNbd } from './models/mbg-nbd/fit.ts';
export { mbgNbdConditionalExpectedPurchases, mbgNbdExpectedPurchases, mbgNbdProbabilityAlive } from './models/mbg-nbd/predict.ts';
export { simulateMbgNbd } from './models/mbg-nbd/simulate.ts';
export { gammaGammaLogLikelihood } from './models/gamma-gamma/likelihood.ts';
export type { GammaGammaParams, SpendRows } from './models/gamma-gamma/likelihood.ts';
export { fitGammaGamma } from './models/gamma-gamma/fit.ts';
export type { GammaGammaFit, GammaGammaFitOptions } from './models/gamma-gamma/fit.ts';
export { gammaGammaExpectedAverageValue, gammaGammaPopulationMean } from './models/gamma-gamma/predict.ts';
export { simulateGammaGamma } from './models/gamma-gamma/simulate.ts';
export { DEFAULT_ANNUAL_DISCOUNT_RATE, discountedClv, discountedExpectedPurchases, predictCustomers, UNITS_PER_MONTH } from './models/clv/clv.ts';
export type { ClvOptions, CustomerPredictions } from './models/clv/clv.ts';
export { holdoutReport } from './models/holdout/holdout.ts';
export type { HoldoutFrequencyRow, HoldoutReport } from './models/holdout/holdout.ts';
export {
  assessChurnRisk,
  CHURN_HORIZONS_DAYS,
  ChurnFallbackReason,
  ChurnMethod,
  DEFAULT_CHURN_HORIZON_DAYS,
  DEFAULT_TYPICAL_GAP_DAYS,
  fitChurnModels,
  MIN_REPEAT_CUSTOMERS_FOR_MODEL,
  PENALIZER_STEPS,
  scoreChurnRisk,
} from './models/churn-risk/churn-risk.ts';
export type { ChurnModelFitOptions, ChurnModels, ChurnRiskAssessment, ChurnRiskOptions, CustomerChurnRisk } from './models/churn-risk/churn-risk.ts';
export { ChurnPredictionFailure, ChurnScoreModel, CLASSIFIER_FEATURES, transactionLikelyOrders, transactionModelFit } from './models/churn-risk/churn-prediction.ts';
export type { CandidateBacktest, ChurnBacktest, ChurnProbabilityModel, SpendBacktest } from './models/churn-risk/churn-prediction.ts';

// --- churn classifier, calibration, backtest scores and first-order-aware spend (issue 11)
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
export { allPurchaseDaySpendRows, expectedOrderValueAllDays, fitGammaGammaAllDays } from './models/gamma-gamma/all-purchase-days.ts';
export type { PurchaseDaySpend } from './models/gamma-gamma/all-purchase-days.ts';
// --- Pareto/NBD and P(no purchase in a horizon) (issue 11)
export { bgNbdProbabilityNoPurchase, betaGeoProbabilityNoPurchase } from './models/bg-nbd/predict.ts';
export { mbgNbdProbabilityNoPurchase } from './models/mbg-nbd/predict.ts';
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
export { simulateParetoNbd } from './models/pareto-nbd/simulate.ts';
export { purchaseModelConditionalExpectedPurchases, purchaseModelProbabilityNoPurchase } from './models/purchase-model/purchase-model.ts';
export type { PurchaseModelFit } from './models/purchase-model/purchase-model.ts';

// --- MBG/CNBD-k: regular inter-purchase times (Platzer & Reutterer 2016)
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
export { simulateMbgCnbd } from './models/mbg-cnbd-k/simulate.ts';
export type { SimulatedMbgCnbdCustomers } from './models/mbg-cnbd-k/simulate.ts';
export { computeLogIntervalSums } from './models/mbg-cnbd-k/log-intervals.ts';
