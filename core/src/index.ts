// Public entry of @clvlens/core: every export is listed by name. Each area keeps its own block; add lines to your
// block only.

// --- api contract (types only)
export type {
  ApiErrorCodeV1,
  ApiErrorV1,
  ChurnTierV1,
  CustomerInsightV1,
  CustomersFeedV1,
  PairRequestV1,
  PairResponseV1,
  RfmSegmentV1,
  ShopSummaryV1,
} from './api/v1.ts';

// --- data model and descriptive metrics (issue 2)
export { CoreError, CoreErrorCode, CurrencyMismatchError } from './errors/core-error.ts';
export type { Result } from './result.ts';
export {
  addMoney,
  assertCurrencyCode,
  currencyExponent,
  formatMinorUnits,
  parseMinorUnits,
  ParseMoneyReason,
  sumMoney,
} from './money/money.ts';
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
export {
  assertOrderRecord,
  customerKeyOf,
  isCountedOrder,
  orderNetMinor,
  orderSkipReason,
  OrderSkipReason,
} from './orders/order.ts';
export type { OrderRecord } from './orders/order.ts';

// --- predictive models and churn risk (issue 3)
