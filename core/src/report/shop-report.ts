import { prepareOrders, type OrderCounts, type PrepareOptions, type PreparedOrders, type RefundAttribution } from '../dataset/prepare.ts';
import type { OrderRecord } from '../orders/order.ts';
import { computeAverageOrderValue, computeAverageOrderValueSeries, type AverageOrderValue } from '../metrics/average-order-value/average-order-value.ts';
import { computeCohortMatrix, type CohortMatrix } from '../metrics/cohort-matrix/cohort-matrix.ts';
import { assertMarginFraction, computeShopFormulaClv, type ShopFormulaClv } from '../metrics/formula-clv/formula-clv.ts';
import { computeHistoricClv, type HistoricClv } from '../metrics/historic-clv/historic-clv.ts';
import {
  computeChurnTrend,
  computeInactivityChurn,
  detectChurnAlert,
  type ChurnAlert,
  type ChurnTrend,
  type InactivityChurn,
} from '../metrics/inactivity-churn/inactivity-churn.ts';
import { computeLtvCac, type CohortLtvCac, type MonthlySpend } from '../metrics/ltv-cac/ltv-cac.ts';
import { computeMrr, type Mrr } from '../metrics/mrr/mrr.ts';
import { computePeriodChurn, periodEndingAt, type PeriodChurn } from '../metrics/period-churn/period-churn.ts';
import { computeProductRetention, type ProductRetention } from '../metrics/product-retention/product-retention.ts';
import {
  assertWindowDays,
  computeRepeatPurchaseRate,
  computeRepeatRateSeries,
  type RepeatPurchaseRate,
  type RepeatRateSeries,
} from '../metrics/repeat-rate/repeat-rate.ts';
import { computeRepurchaseWithin, type RepurchaseWithin } from '../metrics/repurchase-window/repurchase-window.ts';
import { computeReturningCustomerRate, type ReturningCustomerRate } from '../metrics/returning-customer-rate/returning-customer-rate.ts';
import { countRfmSegments, scoreRfm, type RfmSegment } from '../metrics/rfm/rfm.ts';
import { buildScorecard, type Scorecard, type ScorecardOptions, type ScorecardTargets } from '../metrics/scorecard/scorecard.ts';
import { computeCsat, computeNps, type Csat, type Nps } from '../metrics/surveys/surveys.ts';
import { computeTimeBetweenOrders, type TimeBetweenOrders } from '../metrics/time-between-orders/time-between-orders.ts';
import { computeWindowedClv, computeWindowedClvSeries, type WindowedClv, type WindowedClvSeries } from '../metrics/windowed-clv/windowed-clv.ts';

/** Imported survey answers. */
export interface SurveyInput {
  /** NPS answers, whole numbers 0-10. */
  nps?: readonly number[];
  /** CSAT answers, whole numbers 1..csatScaleMax. */
  csat?: readonly number[];
  /** Default 5. */
  csatScaleMax?: number;
  /** Lowest score counted as satisfied. Default 4. */
  csatSatisfiedMin?: number;
}

/** Options of {@link computeShopReport}. Every field but asOfMs has a default. */
export interface ShopReportOptions extends PrepareOptions {
  /** Window of the repeat purchase rate, returning customer rate and AOV, in local days ending on asOf's day. Default 365. */
  windowDays?: number;
  /** Gross margin fraction for formula CLV and LTV:CAC. Default 1 (revenue, not margin; the report says so). */
  marginFraction?: number;
  surveys?: SurveyInput;
  /** Marketing spend by month, shop currency, for LTV:CAC. */
  spendByMonth?: readonly MonthlySpend[];
  /** Scorecard targets (default CLV +15%, repeat rate x1.5, 52 weeks). */
  targets?: Partial<ScorecardTargets>;
  /** Scorecard baseline settings. */
  scorecard?: Omit<ScorecardOptions, 'targets'>;
  /** Points in the weekly series. Default 52 (more when the program start needs it). */
  seriesWeeks?: number;
  /** Length of the period for period churn and product retention, days ending at asOf. Default 90. */
  periodDays?: number;
}

/**
 * Every descriptive metric of a shop at asOf, as plain JSON-serialisable data. Money is minor units of `currency`,
 * times are UTC epoch ms, rates are fractions in [0, 1] unless a field says otherwise. Series are columnar for uPlot
 * (x ascending, UTC ms; null marks a gap).
 *
 * The CLI's `--json` top level maps one to one: `asOf`, `currency`, `orders.{counted, unattributed,
 * skippedByReason}`, `customers`, `repeatPurchaseRate.{windowDays, value}`, `returningCustomerRate`,
 * `averageOrderValueMinor`, `churn.{d30, d60, d90}`.
 */
export interface ShopReport {
  /** asOf as an ISO 8601 UTC string. */
  asOf: string;
  asOfMs: number;
  timeZone: string;
  /** Shop currency; null only for an empty order list without a `currency` option. */
  currency: string | null;
  refundAttribution: RefundAttribution;
  windowDays: number;
  /** Margin fraction used for formula CLV and LTV:CAC (1 = revenue). */
  marginFraction: number;
  orders: OrderCounts;
  /** Customers with >= 1 counted order up to asOf. */
  customers: number;
  repeatPurchaseRate: RepeatPurchaseRate;
  /** Shopify's returning customer rate over the same window (fraction); details in `returningCustomers`. */
  returningCustomerRate: number;
  returningCustomers: ReturningCustomerRate;
  /** AOV of counted orders in the window, minor units (rounded). */
  averageOrderValueMinor: number;
  /** Inactivity churn at asOf for 30, 60 and 90 days (fractions). */
  churn: { d30: number; d60: number; d90: number };
  churnDetail: {
    d30: InactivityChurn;
    d60: InactivityChurn;
    d90: InactivityChurn;
    /** Alert on the weekly 90-day churn trend (rule in `alert.rule`). */
    alert: ChurnAlert;
  };
  periodChurn: PeriodChurn;
  productRetention: ProductRetention;
  repurchaseWithin: RepurchaseWithin;
  historicClv: HistoricClv;
  formulaClv: ShopFormulaClv;
  windowedClv: WindowedClv;
  cohortMatrix: CohortMatrix;
  rfm: { segmentCounts: Record<RfmSegment, number> };
  timeBetweenOrders: TimeBetweenOrders;
  /** Null when no survey input was given. */
  surveys: { nps: Nps; csat: Csat } | null;
  mrr: Mrr;
  /** Per acquisition cohort; empty without `spendByMonth`. */
  ltvCac: CohortLtvCac[];
  scorecard: Scorecard;
  /** Chart-ready columnar data (uPlot AlignedData: first array is x). */
  charts: {
    /** x = ISO week starts (UTC ms); repeat purchase rate over `windowDays` ending each week. */
    repeatRate: { weekStartMs: number[]; value: (number | null)[] };
    /** x = ISO week starts; inactivity churn 30/60/90 at each week's end. */
    churnTrend: { weekStartMs: number[]; d30: (number | null)[]; d60: (number | null)[]; d90: (number | null)[] };
    /** x = ISO week starts; windowed CLV over the chosen lookback. */
    windowedClv: { weekStartMs: number[]; lookbackDays: number; valueMinor: (number | null)[] };
    /** Heatmap: rows = cohorts (cohortStartMs ascending), columns = months since acquisition 0..max; null = future. */
    cohortHeatmap: { cohortStartMs: number[]; cohortMonth: string[]; monthsSince: number[]; activeShare: (number | null)[][] };
    /** x = months since acquisition; one cumulative revenue-per-customer curve per cohort (null after its last month). */
    ltvCurves: { monthsSince: number[]; cohortMonth: string[]; cumulativeRevenuePerCustomerMinor: (number | null)[][] };
  };
}

const WEEK_MS = 7 * 86_400_000;

/**
 * Computes every descriptive metric of issue 2 for one shop in one call: orders are validated and grouped once, then
 * each metric is a linear pass (about 1 s for 1,000,000 orders; see core/README.md).
 * Throws CoreError / CurrencyMismatchError on contract breaches (see README, error codes).
 * @example
 * const report = computeShopReport(orders, { asOfMs: endOfLocalDateMs('2024-06-30', 'Europe/Paris'), timeZone: 'Europe/Paris', marginFraction: 0.4 });
 * report.repeatPurchaseRate.value; // e.g. 0.12
 */
export function computeShopReport(orders: readonly OrderRecord[], options: ShopReportOptions): ShopReport {
  const data = prepareShopReport(orders, options);
  return shopReportFromParts(data, options, computeShopReportMainMetrics(data, options), computeShopReportSideMetrics(data, options));
}

/**
 * {@link computeShopReport} in parts, so that a caller can compute some on another thread and get the same report:
 * this checks the options and prepares the orders (throws as computeShopReport does); then
 * {@link computeShopReportMainMetrics} and {@link computeShopReportSideMetrics} (independent of each other) and
 * {@link shopReportFromParts}.
 */
export function prepareShopReport(orders: readonly OrderRecord[], options: ShopReportOptions): PreparedOrders {
  reportOptions(options);
  return prepareOrders(orders, options);
}

/**
 * The metrics of the report that need only the prepared orders (not each other) and read no customer key, only their
 * count: a caller may compute them on another thread from a copy of `data` whose `customerKeys` are blanks of the
 * same length, and pass them to {@link shopReportFromParts}.
 */
export interface ShopReportSideMetrics {
  periodChurn: PeriodChurn;
  productRetention: ProductRetention;
  repurchaseWithin: RepurchaseWithin;
  historicClv: HistoricClv;
  formulaClv: ShopFormulaClv;
  rfm: { segmentCounts: Record<RfmSegment, number> };
  timeBetweenOrders: TimeBetweenOrders;
  mrr: Mrr;
}

/** See {@link ShopReportSideMetrics}; `options` as given to {@link prepareShopReport}. */
export function computeShopReportSideMetrics(data: PreparedOrders, options: ShopReportOptions): ShopReportSideMetrics {
  const { marginFraction, periodDays } = reportOptions(options);
  const period = periodEndingAt(data, periodDays);
  return {
    periodChurn: computePeriodChurn(data, { period, inactivityDays: 90 }),
    productRetention: computeProductRetention(data, { period, inactivityDays: 90 }),
    repurchaseWithin: computeRepurchaseWithin(data),
    historicClv: computeHistoricClv(data),
    formulaClv: computeShopFormulaClv(data, { marginFraction }),
    rfm: { segmentCounts: countRfmSegments(scoreRfm(data)) },
    timeBetweenOrders: computeTimeBetweenOrders(data),
    mrr: computeMrr(data),
  };
}

/**
 * The report's metrics other than the {@link ShopReportSideMetrics} (see {@link prepareShopReport}). They read no
 * customer key either, only their count: like the side metrics, they may be computed from a copy whose
 * `customerKeys` are blanks of the same length.
 */
export interface ShopReportMainMetrics {
  repeatPurchaseRate: RepeatPurchaseRate;
  returningCustomers: ReturningCustomerRate;
  aov: AverageOrderValue;
  d30: InactivityChurn;
  d60: InactivityChurn;
  d90: InactivityChurn;
  trend: ChurnTrend;
  windowedClv: WindowedClv;
  repeatSeries: RepeatRateSeries;
  clvSeries: WindowedClvSeries;
  cohortMatrix: CohortMatrix;
  scorecard: Scorecard;
}

/** See {@link ShopReportMainMetrics}; `options` as given to {@link prepareShopReport}. */
export function computeShopReportMainMetrics(data: PreparedOrders, options: ShopReportOptions): ShopReportMainMetrics {
  const { windowDays } = reportOptions(options);
  const weeks = seriesWeeksFor(data, options);
  const trend = computeChurnTrend(data, { weeks, inactivityDays: [30, 60, 90] });
  const windowedClv = computeWindowedClv(data);
  const repeatSeries = computeRepeatRateSeries(data, { windowDays, weeks });
  const clvSeries = computeWindowedClvSeries(data, { lookbackDays: windowedClv.chosenLookbackDays, weeks });
  const aovSeries = computeAverageOrderValueSeries(data, { windowDays, weeks });
  const scorecardOptions: ScorecardOptions = { ...options.scorecard };
  if (options.targets !== undefined) scorecardOptions.targets = options.targets;
  const scorecard = buildScorecard(
    repeatSeries.weekStartMs,
    {
      repeatPurchaseRate: repeatSeries.value,
      clv: clvSeries.valueMinor,
      churnD90: trend.values[2] as (number | null)[],
      averageOrderValue: aovSeries.valueMinor,
    },
    data.asOfMs,
    scorecardOptions,
  );
  return {
    repeatPurchaseRate: computeRepeatPurchaseRate(data, { windowDays }),
    returningCustomers: computeReturningCustomerRate(data, { windowDays }),
    aov: computeAverageOrderValue(data, { windowDays }),
    d30: computeInactivityChurn(data, { inactivityDays: 30 }),
    d60: computeInactivityChurn(data, { inactivityDays: 60 }),
    d90: computeInactivityChurn(data, { inactivityDays: 90 }),
    trend,
    windowedClv,
    repeatSeries,
    clvSeries,
    cohortMatrix: computeCohortMatrix(data),
    scorecard,
  };
}

/** The report from its parts (see {@link prepareShopReport}). */
export function shopReportFromParts(data: PreparedOrders, options: ShopReportOptions, main: ShopReportMainMetrics, side: ShopReportSideMetrics): ShopReport {
  return reportFromPrepared(data, { ...options, ...reportOptions(options) }, main, side);
}

/** The options' defaults, checked. */
function reportOptions(options: ShopReportOptions): { windowDays: number; marginFraction: number; periodDays: number } {
  const windowDays = options.windowDays ?? 365;
  assertWindowDays(windowDays);
  const marginFraction = options.marginFraction ?? 1;
  assertMarginFraction(marginFraction);
  const periodDays = options.periodDays ?? 90;
  assertWindowDays(periodDays, 'periodDays');
  return { windowDays, marginFraction, periodDays };
}

function seriesWeeksFor(data: PreparedOrders, options: ShopReportOptions): number {
  let weeks = options.seriesWeeks ?? 52;
  assertWindowDays(weeks, 'seriesWeeks');
  const baselineWeeks = options.scorecard?.baselineWeeks ?? 12;
  weeks = Math.max(weeks, baselineWeeks + 1);
  const start = options.scorecard?.programStartMs;
  if (start !== undefined && start < data.asOfMs) weeks = Math.max(weeks, Math.ceil((data.asOfMs - start) / WEEK_MS) + baselineWeeks + 2);
  return Math.min(weeks, 520);
}

function reportFromPrepared(
  data: PreparedOrders,
  options: ShopReportOptions & { windowDays: number; marginFraction: number; periodDays: number },
  main: ShopReportMainMetrics,
  side: ShopReportSideMetrics,
): ShopReport {
  const { windowDays, marginFraction } = options;
  const { repeatPurchaseRate, returningCustomers, aov, d30, d60, d90, trend, windowedClv, repeatSeries, clvSeries, cohortMatrix, scorecard } = main;
  const [churn30, churn60, churn90] = trend.values as [(number | null)[], (number | null)[], (number | null)[]];
  const surveys = options.surveys;
  const csatOptions: { scaleMax?: number; satisfiedMin?: number } = {};
  if (surveys?.csatScaleMax !== undefined) csatOptions.scaleMax = surveys.csatScaleMax;
  if (surveys?.csatSatisfiedMin !== undefined) csatOptions.satisfiedMin = surveys.csatSatisfiedMin;
  const maxMonths = cohortMatrix.maxMonthsSince;
  const monthsSince = Array.from({ length: maxMonths + 1 }, (_, k) => k);
  const pad = (values: number[]): (number | null)[] => monthsSince.map((k) => values[k] ?? null);

  return {
    asOf: new Date(data.asOfMs).toISOString(),
    asOfMs: data.asOfMs,
    timeZone: data.timeZone,
    currency: data.currency,
    refundAttribution: data.refundAttribution,
    windowDays,
    marginFraction,
    orders: data.counts,
    customers: data.customerKeys.length,
    repeatPurchaseRate,
    returningCustomerRate: returningCustomers.value,
    returningCustomers,
    averageOrderValueMinor: aov.valueMinor,
    churn: { d30: d30.value, d60: d60.value, d90: d90.value },
    churnDetail: { d30, d60, d90, alert: detectChurnAlert(churn90) },
    periodChurn: side.periodChurn,
    productRetention: side.productRetention,
    repurchaseWithin: side.repurchaseWithin,
    historicClv: side.historicClv,
    formulaClv: side.formulaClv,
    windowedClv,
    cohortMatrix,
    rfm: side.rfm,
    timeBetweenOrders: side.timeBetweenOrders,
    surveys: surveys === undefined ? null : { nps: computeNps(surveys.nps ?? []), csat: computeCsat(surveys.csat ?? [], csatOptions) },
    mrr: side.mrr,
    ltvCac: computeLtvCac(cohortMatrix, options.spendByMonth ?? [], { marginFraction, currency: data.currency }),
    scorecard,
    charts: {
      repeatRate: { weekStartMs: repeatSeries.weekStartMs, value: repeatSeries.value },
      churnTrend: { weekStartMs: trend.weekStartMs, d30: churn30, d60: churn60, d90: churn90 },
      windowedClv: { weekStartMs: clvSeries.weekStartMs, lookbackDays: clvSeries.lookbackDays, valueMinor: clvSeries.valueMinor },
      cohortHeatmap: {
        cohortStartMs: cohortMatrix.cohorts.map((c) => c.cohortStartMs),
        cohortMonth: cohortMatrix.cohorts.map((c) => c.cohortMonth),
        monthsSince,
        activeShare: cohortMatrix.cohorts.map((c) => pad(c.activeShare)),
      },
      ltvCurves: {
        monthsSince,
        cohortMonth: cohortMatrix.cohorts.map((c) => c.cohortMonth),
        cumulativeRevenuePerCustomerMinor: cohortMatrix.cohorts.map((c) => pad(c.cumulativeRevenuePerCustomerMinor)),
      },
    },
  };
}
