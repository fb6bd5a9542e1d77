// Public entry of @clvlens/core: what the app, the extension and the CLI use, by name, in named groups. The models'
// internals (fits, likelihoods, predictions, simulators, evaluation scores) are behind `@clvlens/core/models`
// (models.ts); messages behind `@clvlens/core/i18n`. `test/src/exports/core-exports.test.ts` snapshots every name of
// both entries: adding or removing one is a reviewed change.

/** API v1 contract: the JSON the app serves and the extension reads (types only). */
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

/** Errors and results: the one error type with stable codes, and the value of an expected failure. */
export { CoreError, CoreErrorCode, CurrencyMismatchError } from './errors/core-error.ts';
export type { Result } from './result.ts';

/** Money: integer minor units of one ISO 4217 currency. */
export { currencyExponent, formatMinorUnits, parseMinorUnits } from './money/money.ts';
export type { CurrencyCode, Money } from './money/money.ts';

/** Time: UTC epoch ms, shop-local calendar days in an IANA time zone. */
export { assertTimeZone, DAY_MS, isValidTimeZone, timeZoneOffsetMs } from './time/zone-offsets.ts';
export {
  civilFromDayNumber,
  dayNumberFromCivil,
  endOfLocalDateMs,
  endOfLocalDayMs,
  formatLocalDate,
  localDayNumber,
  localDayStartMs,
  parseLocalDate,
} from './time/calendar.ts';

/** Orders: the record core reads, and the counting rule (which orders count, whose they are, their net value). */
export { assertOrderRecord, customerKeyOf, isCountedOrder, orderNetMinor } from './orders/order.ts';
export type { OrderRecord } from './orders/order.ts';
export { toCountedOrders } from './models/btyd-summary/counted-orders.ts';
export type { CountedOrder } from './models/btyd-summary/btyd-summary.ts';

/** Shop metrics: the full report (repeat rate, CLV, churn, cohorts, scorecard...) and the figures computed apart from it. */
export { computeShopReport, computeShopReportMainMetrics, computeShopReportSideMetrics, prepareShopReport, shopReportFromParts } from './report/shop-report.ts';
export type { ShopReport, ShopReportMainMetrics, ShopReportOptions, ShopReportSideMetrics } from './report/shop-report.ts';
export type { PreparedOrders } from './dataset/prepare.ts';
export { concatPreparedOrders } from './dataset/concat.ts';
export { valueKeyOf } from './dataset/prepare.ts';
export { summarizeCustomers } from './metrics/customer-summary/customer-summary.ts';
export { CHURN_ALERT_DEFAULTS } from './metrics/inactivity-churn/inactivity-churn.ts';
export type { CohortMatrix } from './metrics/cohort-matrix/cohort-matrix.ts';
export { RFM_SEGMENTS, rfmCutPointsOf } from './metrics/rfm/rfm.ts';
export type { RfmCutPoints } from './metrics/rfm/rfm.ts';
export { computeCsat, computeNps } from './metrics/surveys/surveys.ts';
export type { Csat, Nps } from './metrics/surveys/surveys.ts';
export { computeLtvCac } from './metrics/ltv-cac/ltv-cac.ts';
export type { MonthlySpend } from './metrics/ltv-cac/ltv-cac.ts';
export type { ScorecardRow } from './metrics/scorecard/scorecard.ts';

/** Churn risk and predicted CLV: fit the shop's models once, score any customers with them. */
export { assessChurnRisk, CHURN_HORIZONS_DAYS, DEFAULT_CHURN_HORIZON_DAYS, fitChurnModels, scoreChurnRisk } from './models/churn-risk/churn-risk.ts';
export type { ChurnModelFitOptions, ChurnModels, ChurnRiskOptions, CustomerChurnRisk } from './models/churn-risk/churn-risk.ts';
export { ChurnScoreModel } from './models/churn-risk/churn-prediction.ts';

/** Customer insights: the one producer of the per-customer record the API serves and the badges show. */
export { buildCustomerInsights } from './insights/customer-insights.ts';
export type { CustomerInsight, CustomerInsightModels, CustomerInsightOptions } from './insights/customer-insights.ts';
