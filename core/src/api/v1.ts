/**
 * Wire contract of the CLV Lens app's HTTP API, version 1, shared by `@clvlens/shopify-app` (which serves it) and
 * `@clvlens/extension` and the dashboard (which read it). Types only: this file has no runtime code.
 *
 * Conventions: times are UTC epoch milliseconds (`...AtMs`), money is integer minor units of the shop currency
 * (`...Minor`, with `currency` alongside), rates and probabilities are fractions in [0, 1]. Customer ids are the
 * numeric Shopify ids (`legacyResourceId`) as decimal strings, because they can exceed what a JSON reader must keep
 * exact and they appear as such in admin URLs (`/store/<handle>/customers/<id>`).
 *
 * No names, emails or addresses are stored or cached: the extension caches only what its badges need, and
 * `customer-names` answers display names for the popup to hold in memory while it is open.
 *
 * Endpoints (all under the app origin, JSON, `Authorization: Bearer <extension token>` except pairing):
 * - `POST /api/v1/pair` body {@link PairRequestV1} -> {@link PairResponseV1}
 * - `POST /api/v1/unpair` -> 204 (revokes the calling token)
 * - `GET /api/v1/shop/summary` -> {@link ShopSummaryV1}
 * - `GET /api/v1/customers?since=<cursor>&limit=<n>` -> {@link CustomersFeedV1} (delta feed ordered by change)
 * - `GET /api/v1/customers/<numeric id>` -> {@link CustomerInsightV1} (ids are 64-bit: any decimal id 1 to 2^63 - 1)
 * - `GET /api/v1/orders/<numeric id>/customer` -> {@link CustomerInsightV1} (the order's customer; for order pages)
 * - `GET /api/v1/customer-names?ids=<id>,<id>` -> {@link CustomerNamesV1} (read live from Shopify, never stored;
 *   `cache-control: no-store`; at most 50 ids)
 * - errors: HTTP 4xx/5xx with {@link ApiErrorV1}
 */

/**
 * Churn-risk tier, cut on `churnProbability` at the cuts the shop's backtest chose (so that, on the shop's own past,
 * the share who ordered again falls from low to medium to high); 1/3 and 2/3 without a backtest.
 */
export type ChurnTierV1 = 'low' | 'medium' | 'high';

/** One of Shopify's customer segment names, from RFM scores. */
export type RfmSegmentV1 =
  'CHAMPIONS' | 'LOYAL' | 'ACTIVE' | 'NEEDS_ATTENTION' | 'PROMISING' | 'NEW' | 'AT_RISK' | 'PREVIOUSLY_LOYAL' | 'ALMOST_LOST' | 'DORMANT';

/**
 * Why an order of a customer is not counted (see {@link CustomerInsightV1.notCountedOrders}). `free` is sent only by
 * app versions before free orders were counted; readers still accept it.
 */
export type NotCountedReasonV1 = 'refunded' | 'free' | 'cancelled' | 'test';

/** Everything a badge or a detail card shows about one customer. */
export interface CustomerInsightV1 {
  /** Numeric Shopify customer id as a decimal string. */
  customerId: string;
  /** ISO 4217 code of the shop currency. */
  currency: string;
  /** Counted orders (not test, not cancelled, net value > 0). */
  orderCount: number;
  /** True when orderCount >= 2. */
  isRepeat: boolean;
  /** Historic CLV: net spend (totals minus refunds) of counted orders, minor units. */
  historicClvMinor: number;
  /** Predicted discounted CLV over the next 12 months, minor units; null when no model could be fitted. */
  predictedClvMinor: number | null;
  /** Average order value of counted orders, minor units. */
  averageOrderValueMinor: number;
  firstOrderAtMs: number | null;
  lastOrderAtMs: number | null;
  /** Whole days from the last counted order to the shop's `asOfMs`. */
  daysSinceLastOrder: number | null;
  /** When the next order is expected; null with fewer than two orders and no model. */
  expectedNextOrderAtMs: number | null;
  /** True when expectedNextOrderAtMs has passed. */
  overdue: boolean;
  /** Probability the customer is still active (the shop's purchase model, or the low-confidence fallback rule). */
  pAlive: number;
  /**
   * Chance of no counted order in the next `churnHorizonDays` days, calibrated on the shop's own past (backtest).
   * Not 1 - pAlive: an active customer who orders rarely can still go the whole horizon without an order.
   */
  churnProbability: number;
  /** H of `churnProbability`, days: the shop's setting, one of 30, 60, 90, 180 (default 90). */
  churnHorizonDays: number;
  /**
   * One order so far, placed within the shop's typical gap between first and second orders: too early to expect a
   * second one. Surfaces say "new" rather than alarm; `churnProbability` and `churnTier` are still filled in.
   */
  newCustomer: boolean;
  churnTier: ChurnTierV1;
  /** 'low' when the shop has too little data for the model and a cadence/RFM rule was used. */
  confidence: 'normal' | 'low';
  rfmSegment: RfmSegmentV1 | null;
  /**
   * The customer's orders up to asOf that are left out of every figure (the admin still lists and counts them), newest
   * first, at most the last 20: `refunded` (refunded in full: nothing paid net), `free` (nothing charged),
   * `cancelled` or `test`. Absent in records from app versions before it.
   */
  notCountedOrders?: { placedAtMs: number; reason: NotCountedReasonV1 }[];
  /** The customer's counted orders, oldest first, for the sparkline (at most the last 50). */
  orderHistory: { placedAtMs: number; amountMinor: number }[];
  /** When this record last changed in the app. */
  updatedAtMs: number;
}

/** A page of the delta feed. Follow `nextCursor` until `hasMore` is false; keep the last cursor for the next sync. */
export interface CustomersFeedV1 {
  customers: CustomerInsightV1[];
  /** Customers removed since the cursor (redacted or deleted in Shopify): drop them from any cache. */
  deletedCustomerIds: string[];
  /** Opaque; pass back as `since`. */
  nextCursor: string;
  hasMore: boolean;
  /**
   * Present and true when the cursor passed as `since` came from an earlier life of the shop's data (the shop
   * uninstalled the app, its data was erased 48 hours later, and it installed the app again): this page starts the
   * feed from the beginning, and nothing cached from the earlier cursor is current. Drop every cached customer of the
   * shop before applying it. Absent from app versions before it.
   */
  reset?: boolean;
}

/**
 * "How right we were": the shop's churn prediction checked on its own past. The models were fitted on the orders up
 * to `cutoffMs` and their probabilities compared with who ordered in the `horizonDays` days after it.
 */
export interface ChurnBacktestSummaryV1 {
  /** End of the fitting period, UTC ms. */
  cutoffMs: number;
  /** Days after the cutoff that were checked (the shop's horizon, or less when its history is short). */
  horizonDays: number;
  /** Customers checked. */
  customers: number;
  /** Share of them with no counted order in those days. */
  noOrderShare: number;
  /**
   * The model the shop's backtest chose: `days-since-last-order`, `bg-nbd`, `mbg-nbd`, `pareto-nbd` or `classifier`
   * (`mbg-cnbd-k`, the model for regular buyers, predicts orders only and is never chosen here).
   */
  chosenModel: string;
  /** Ranking quality (AUC, 0.5 = a coin, 1 = perfect) of the chosen model for "no order in the horizon". */
  auc: number | null;
  /** AUC of simply sorting customers by days since their last order, the rule a merchant already has. */
  daysSinceLastOrderAuc: number | null;
  /** Calibrated probability against what happened, in groups of equal size from lowest to highest predicted. */
  calibration: { customers: number; meanPredicted: number; observedNoOrderShare: number }[];
  /** Per tier: customers and the share of them who did order again in the horizon. */
  tiers: { tier: ChurnTierV1; customers: number; orderedAgainShare: number }[];
  /**
   * Where the tiers are cut on `churnProbability` today: low below `medium`, high above `high`. Tiers rank a shop's
   * customers against each other, so on a shop where most customers go the horizon without an order, "low" can still
   * be a high probability.
   */
  tierCuts: { medium: number; high: number };
  /**
   * Spend in those days per customer, minor units: the prediction (expected orders × each customer's own expected order
   * value) against the classic BG/NBD × Gamma-Gamma; `topDecileCapture` is the share of the actual spend made by the
   * 10% predicted to spend most. Null when spend could not be checked. Absent in summaries of older versions.
   */
  spend?: { maeMinor: number; baselineMaeMinor: number | null; topDecileCapture: number; baselineTopDecileCapture: number | null } | null;
  /**
   * Set when the shop is so large that the fit, and this check, saw an even sample of its customers (every k-th of
   * them): `customers` of the shop's `ofCustomers`. Every customer is still scored. Null or absent (summaries of older
   * versions) when they saw every customer.
   */
  sample?: { customers: number; ofCustomers: number } | null;
}

/** Shop-level numbers for the popup and the dashboard header. */
export interface ShopSummaryV1 {
  shopDomain: string;
  currency: string;
  /** The moment the metrics describe. */
  asOfMs: number;
  /**
   * The shop's IANA time zone (Shopify's `shop.ianaTimezone`, e.g. `America/New_York`): the admin shows dates in it,
   * so surfaces that show a customer's dates use it too. Absent from apps before it was added; readers then fall back
   * to the viewer's zone.
   */
  timeZone?: string;
  sync: {
    state: 'not-started' | 'backfilling' | 'live' | 'error';
    ordersDone: number;
    ordersEstimated: number | null;
    lastSyncAtMs: number | null;
    message: string | null;
  };
  /**
   * True while nothing is computed for the shop yet (its order history is being imported, or its customers are being
   * scored for the first time): every figure of this summary is then an empty placeholder, not a measurement, and
   * surfaces say what `sync` says instead. Absent or false once the first run stored the metrics (and from apps
   * before it).
   */
  metricsPending?: boolean;
  /** Customers with at least one counted order. */
  customers: number;
  repeatPurchaseRate: { windowDays: number; value: number };
  /** Shopify's returning customer rate over the same window, for reconciliation. */
  returningCustomerRate: number;
  /** Mean historic CLV per customer, minor units. */
  averageClvMinor: number;
  /** Mean predicted 12-month CLV per customer, minor units; null without a model. */
  averagePredictedClvMinor: number | null;
  churn: { d30: number; d60: number; d90: number };
  /** H of every customer's `churnProbability`, days (see {@link CustomerInsightV1.churnHorizonDays}). */
  churnHorizonDays: number;
  /** The backtest behind the churn probabilities; null when the shop's history was too short to check them. */
  churnBacktest: ChurnBacktestSummaryV1 | null;
  /** Weekly inactivity churn, columnar for uPlot: x in UTC ms (week starts), then each series. */
  churnTrend: { weekStartMs: number[]; d30: number[]; d60: number[]; d90: number[] };
  /**
   * Valuable customers most at risk, highest (historic CLV x churn probability) first: medium and high tiers only,
   * new customers left out.
   */
  topAtRisk: {
    customerId: string;
    historicClvMinor: number;
    churnProbability: number;
    churnTier: ChurnTierV1;
    daysSinceLastOrder: number | null;
  }[];
  /**
   * Valuable customers whose churn tier got worse this week against last week (see {@link VipSlippingV1}). Absent in
   * summaries of app versions before it (issue 16).
   */
  vipSlipping?: VipSlippingSummaryV1;
}

/**
 * Why a customer is in their churn tier, as a code with its numbers (each surface words it in its language, from the
 * numbers of {@link CustomerInsightV1}: days since the last order, the customer's usual gap, the order count; derived
 * by `churnReasonsOf` of `@clvlens/core/i18n`, for the dashboard's slipping VIPs and the extension's card alike). App
 * versions before 2026-12-07 also sent these reasons as English sentences in an insight's `churnReasons`, which no
 * surface showed; readers ignore it.
 */
export type TierChangeReasonV1 =
  /** One counted order so far, `days` ago. */
  | { code: 'one-order'; days: number }
  /** One order, and no second after `ratio` times the shop's usual time to a second order (`days`). */
  | { code: 'no-second-order'; ratio: number; days: number }
  /** No order for `ratio` times this customer's usual gap. */
  | { code: 'overdue'; ratio: number }
  /** Last order `days` ago, past the date the model expected the next order but under 1.5 times the usual gap. */
  | { code: 'late'; days: number }
  /** Last order `days` ago, within this customer's usual gap. */
  | { code: 'within-gap'; days: number }
  /** `orders` counted orders, usually `gapDays` apart. */
  | { code: 'cadence'; orders: number; gapDays: number }
  /** Estimated from order timing: too little data for the model. */
  | { code: 'fallback' };

/**
 * The week's count of valuable customers ("VIPs") whose churn tier got worse. A VIP is a customer whose predicted CLV,
 * just before the change, was at least `thresholdMinor`: the shop's top `topShare` of predicted CLV today.
 */
export interface VipSlippingSummaryV1 {
  /** VIPs with a worsening in the last 7 days (up to the summary's computation). */
  thisWeek: number;
  /** VIPs with a worsening in the 7 days before those. */
  lastWeek: number;
  /** Sum of this week's slipping VIPs' predicted CLV before the change, minor units of the shop currency. */
  valueAtRiskMinor: number;
  /** The predicted CLV a VIP has at least, minor units; null while no customer has a predicted CLV. */
  thresholdMinor: number | null;
  /** The share of customers, by predicted CLV, that counts as VIP (0.1: the top 10%). */
  topShare: number;
}

/** `GET /app/api/vip-slipping` (dashboard): the slipping VIPs, newest change first, and the week's summary. */
export interface VipSlippingV1 {
  currency: string;
  /** Days the list looks back. */
  windowDays: number;
  summary: VipSlippingSummaryV1;
  /** VIPs whose latest tier change in the window made their tier worse (at most 50). No names: read them live. */
  customers: {
    customerId: string;
    oldTier: ChurnTierV1;
    newTier: ChurnTierV1;
    changedAtMs: number;
    churnProbability: number;
    churnHorizonDays: number;
    /** Predicted CLV before the change, minor units. */
    previousPredictedClvMinor: number;
    /** Predicted CLV now, minor units; null without a model. */
    predictedClvMinor: number | null;
    reasons: TierChangeReasonV1[];
  }[];
}

/**
 * The merchant's settings, read and written by the embedded dashboard (`GET` / `PUT /app/api/settings`). A `PUT`
 * body holds only the fields to change.
 */
export interface ShopSettingsV1 {
  /** H of the churn probability: the chance of no counted order in the next H days. One of `churnHorizonChoices`. */
  churnHorizonDays: number;
  /** The horizons a shop can choose, days. */
  churnHorizonChoices: readonly number[];
  /** True while the shop has not chosen and uses the app's default. */
  churnHorizonIsDefault: boolean;
}

export interface PairRequestV1 {
  /** The one-time code shown on the app dashboard. */
  code: string;
}

export interface PairResponseV1 {
  /** Bearer token for this shop only; shown once, stored hashed by the app. */
  token: string;
  shopDomain: string;
  /** `<handle>` of `<handle>.myshopify.com`, as in admin URLs. */
  storeHandle: string;
}

/** Display names by numeric customer id; customers Shopify no longer knows are left out. Never stored. */
export interface CustomerNamesV1 {
  names: Record<string, string>;
}

/** Stable error codes of the API. */
export type ApiErrorCodeV1 =
  | 'unauthorized'
  | 'forbidden'
  | 'not-found'
  /** The order is known and has no customer (guest checkout): nothing to show, and nothing to wait for. */
  | 'guest-order'
  | 'bad-request'
  | 'pairing-code-invalid'
  | 'rate-limited'
  | 'internal';

export interface ApiErrorV1 {
  error: { code: ApiErrorCodeV1; message: string };
}
