import { concatPreparedOrders, prepareShopReport, valueKeyOf, type OrderRecord, type PreparedOrders } from '@clvlens/core';
import { sql } from 'kysely';
import type { ComputeDeps } from './deps.ts';
import { FIT_SAMPLE_CUSTOMERS, fitChurnModelsOffThread, fitSampleOf, preparedCountedColumns } from './fit-off-thread.ts';
import {
  churnHorizonOf,
  preparedRfmCutPoints,
  shopReportOptions,
  yieldToEventLoop,
  type ComputeContext,
  type ShopMetrics,
  type ShopModels,
} from './insights.ts';
import { customerParts, ordersOutside, type CustomerRange } from './load.ts';
import { computePreparedShopMetricsOffThread } from './metrics-off-thread.ts';
import { screenedRecords } from './shop-state.ts';

/**
 * Customers per part of {@link loadPreparedShop}: about 45,000 orders and their records (some 45 MB), garbage once the
 * part is prepared.
 */
export const CUSTOMERS_PER_PART = 25_000;

/**
 * The ids core keys by value (canonical decimals of up to 15 digits: core's `valueKeyOf`): the parts walk these in id
 * order, which is the prepared dataset's own customer order. Any other customer (an id past 15 digits, a negative id)
 * is keyed as text, as guests are, and comes in the last part.
 */
const VALUE_KEYED: CustomerRange = { after: '-1', upTo: '999999999999999' };

/**
 * The currency a shop's orders are screened and reported in: the shop's own, else its first order's (the one-job run
 * takes its first record's, records being read in order id order), else USD. Every part of {@link loadPreparedShop}
 * is screened against this one.
 */
export async function metricsCurrencyOf(db: ComputeDeps['db'], shop: string, shopCurrency: string | null): Promise<string> {
  if (shopCurrency !== null) return shopCurrency;
  const { rows } = await sql<{ c: string }>`SELECT currency AS c FROM orders WHERE shop_id = ${shop} ORDER BY order_id LIMIT 1`.execute(db);
  return rows[0]?.c ?? 'USD';
}

/** What {@link loadPreparedShop} read. */
export interface PreparedShop {
  /** Every stored order of the shop core can count, prepared with `shopReportOptions(context)`. */
  data: PreparedOrders;
  /** Stored orders read, skipped ones included. */
  orders: number;
  /** Parts prepared (one `prepareShopReport` each). */
  parts: number;
  /** Time spent waiting for the database's rows, ms. */
  waitedMs: number;
}

/**
 * The shop's stored orders prepared for its metrics and models, a part of {@link CUSTOMERS_PER_PART} customers at a
 * time in id order (load.ts `customerParts`: on PostgreSQL one sorted statement cut as it streams in), each part
 * screened and prepared at once and only its columns kept: a 10,000,000-order shop never has its order records in memory together, only the prepared columns
 * (about 40 bytes an order and one key per customer, against about 1 KB an order as records). Guests, orders without a
 * customer and customers not keyed by value come in one last part, so that part grows with the shop's guest orders.
 * The parts are joined with core's `concatPreparedOrders`: the result equals `prepareShopReport` of all the records.
 */
export async function loadPreparedShop(
  deps: Pick<ComputeDeps, 'db' | 'pool' | 'clock' | 'log'>,
  shop: string,
  context: ComputeContext,
  options: { customersPerPart?: number } = {},
): Promise<PreparedShop> {
  const perPart = options.customersPerPart ?? CUSTOMERS_PER_PART;
  const reportOptions = shopReportOptions(context);
  const parts: PreparedOrders[] = [];
  let orders = 0;
  let waitedMs = 0;
  const prepare = async (records: OrderRecord[]) => {
    orders += records.length;
    await yieldToEventLoop();
    parts.push(prepareShopReport(await screenedRecords(deps, shop, records, context.currency), reportOptions));
    await yieldToEventLoop();
  };
  const valueKeyed = customerParts(deps, shop, VALUE_KEYED, perPart);
  try {
    for (;;) {
      const waitFrom = deps.clock.now();
      const next = await valueKeyed.next();
      waitedMs += deps.clock.now() - waitFrom;
      if (next.done) break;
      if (next.value.records.length > 0) await prepare(next.value.records);
    }
  } finally {
    // A part that failed to prepare ends the read: its streamed statement gives its connection back.
    await valueKeyed.return(undefined);
  }
  const waitFrom = deps.clock.now();
  const rest = await ordersOutside(deps, shop, VALUE_KEYED);
  waitedMs += deps.clock.now() - waitFrom;
  await prepare(rest);
  return { data: concatPreparedOrders(parts), orders, parts: parts.length, waitedMs };
}

/**
 * The same prepared dataset from order records already in memory (a one-job full run's), prepared a part of
 * {@link CUSTOMERS_PER_PART} customers at a time with the event loop free in between: `prepareShopReport` of a
 * 1,000,000-order shop in one piece holds the thread about half a second. Parts cut as {@link loadPreparedShop} cuts
 * them (ids keyed by value in ranges, everyone else last), so both give the models the same customer order.
 */
export async function prepareRecordsInParts(
  records: readonly OrderRecord[],
  context: ComputeContext,
  options: { customersPerPart?: number } = {},
): Promise<PreparedOrders> {
  const perPart = options.customersPerPart ?? CUSTOMERS_PER_PART;
  const ids = new Set<number>();
  for (const r of records) {
    const id = r.customerId === null ? null : valueKeyOf(r.customerId);
    if (id !== null) ids.add(id);
  }
  const sorted = Float64Array.from(ids).sort();
  // The last id of each part; a record goes to the first part whose last id is at least its own.
  const lastIds: number[] = [];
  for (let k = perPart - 1; k < sorted.length + perPart - 1; k += perPart) lastIds.push(sorted[Math.min(k, sorted.length - 1)]!);
  const parts: OrderRecord[][] = Array.from({ length: lastIds.length + 1 }, () => []);
  for (let i = 0; i < records.length; i++) {
    if (i % 100_000 === 99_999) await yieldToEventLoop();
    const r = records[i]!;
    const id = r.customerId === null ? null : valueKeyOf(r.customerId);
    parts[id === null ? lastIds.length : partOf(lastIds, id)]!.push(r);
  }
  await yieldToEventLoop();
  const reportOptions = shopReportOptions(context);
  const prepared: PreparedOrders[] = [];
  for (const part of parts) {
    prepared.push(prepareShopReport(part, reportOptions));
    await yieldToEventLoop();
  }
  return concatPreparedOrders(prepared);
}

/** The index of the first of `lastIds` (ascending) at least `id`. */
function partOf(lastIds: readonly number[], id: number): number {
  let lo = 0;
  let hi = lastIds.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (lastIds[mid]! < id) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * What a full run computes from the shop's prepared orders: the models (RFM cut points, then the churn fit on a copy of
 * the counted orders, customer by customer) and the shop metrics, both on worker threads side by side (the fit, core's
 * candidates and backtest, is the longer). Answers once `data` has been read: it is then unusable (its columns moved
 * to the metrics thread), and the two results come as they finish. Neither promise is left unhandled while the caller
 * awaits the other.
 */
export async function fitAndMeasure(data: PreparedOrders, context: ComputeContext): Promise<{ models: Promise<ShopModels>; metrics: Promise<ShopMetrics> }> {
  const rfmCutPoints = await preparedRfmCutPoints(data);
  const maxCustomers = context.options.fitSampleCustomers ?? FIT_SAMPLE_CUSTOMERS;
  const columns = preparedCountedColumns(data, maxCustomers);
  const fitSample = fitSampleOf(data.customerKeys.length, maxCustomers);
  const { asOfMs, timeZone } = context;
  const models = fitChurnModelsOffThread(columns, { asOfMs, timeZone, horizonDays: churnHorizonOf(context.options) }).then((churn): ShopModels => ({
    asOfMs,
    churn,
    rfmCutPoints,
    fitSample,
  }));
  const metrics = computePreparedShopMetricsOffThread(data, context);
  models.catch(() => undefined);
  metrics.catch(() => undefined);
  return { models, metrics };
}
