import type { ChurnTierV1, RfmSegmentV1 } from '@clvlens/core';

const DAY_MS = 86_400_000;

// Building an Intl.NumberFormat costs ~0.1-0.2 ms (an ICU lookup) while formatting with one costs ~1 µs, and a list
// page renders 50-250 badges at once, each with two amounts: formatters are made once per locale, currency and shape.
const formatters = new Map<string, Intl.NumberFormat>();

function formatter(locale: string | undefined, currency: string, compactDigits: number | null): Intl.NumberFormat {
  const key = `${locale ?? ''}|${currency}|${compactDigits ?? ''}`;
  let f = formatters.get(key);
  if (!f) {
    // Throws RangeError for an unknown currency code: the callers fall back to plain text (nothing cached).
    f = new Intl.NumberFormat(
      locale,
      compactDigits === null
        ? { style: 'currency', currency }
        : { style: 'currency', currency, notation: 'compact', maximumFractionDigits: compactDigits },
    );
    formatters.set(key, f);
  }
  return f;
}

const digitsByCurrency = new Map<string, number>();

function currencyDigits(currency: string): number {
  let digits = digitsByCurrency.get(currency);
  if (digits === undefined) {
    try {
      digits = new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
    } catch {
      digits = 2;
    }
    digitsByCurrency.set(currency, digits);
  }
  return digits;
}

/** Money from integer minor units, using the currency's own exponent (JPY 0, USD 2, KWD 3). */
export function formatMoney(amountMinor: number, currency: string, locale?: string): string {
  const digits = currencyDigits(currency);
  const amount = amountMinor / 10 ** digits;
  try {
    return formatter(locale, currency, null).format(amount);
  } catch {
    return `${amount.toFixed(digits)} ${currency}`;
  }
}

/** Short money for badges: "$1.2K". */
export function formatMoneyCompact(amountMinor: number, currency: string, locale?: string): string {
  const amount = amountMinor / 10 ** currencyDigits(currency);
  try {
    return formatter(locale, currency, amount < 1000 ? 0 : 1).format(amount);
  } catch {
    return `${Math.round(amount)} ${currency}`;
  }
}

export function formatPercent(fraction: number): string {
  return `${Math.round(fraction * 100)}%`;
}

const dateFormatters = new Map<string, Intl.DateTimeFormat>();

/** A calendar date in UTC (the API's times are UTC epoch ms; day precision is enough here). */
export function formatDate(ms: number, locale?: string): string {
  // Same output as `toLocaleDateString(locale, options)`, which builds a formatter on every call.
  const key = locale ?? '';
  let f = dateFormatters.get(key);
  if (!f) dateFormatters.set(key, (f = new Intl.DateTimeFormat(locale, { year: 'numeric', month: 'short', day: 'numeric', timeZone: 'UTC' })));
  return f.format(new Date(ms));
}

export function formatDays(days: number): string {
  return days === 1 ? '1 day' : `${days} days`;
}

/** "in 12 days", "5 days ago", "today", measured from `nowMs`. */
export function formatRelativeDays(targetMs: number, nowMs: number): string {
  const days = Math.round((targetMs - nowMs) / DAY_MS);
  if (days === 0) return 'today';
  return days > 0 ? `in ${formatDays(days)}` : `${formatDays(-days)} ago`;
}

/**
 * A probability as a whole percentage that never reads as a certainty: "<1%" and ">99%" at the ends, where rounding
 * would say 0% or 100%.
 */
export function formatChance(fraction: number): string {
  if (fraction < 0.005) return '<1%';
  if (fraction >= 0.995) return '>99%';
  return formatPercent(fraction);
}

/**
 * The churn probability in plain words: "82% chance of no order in the next 90 days". Without a horizon (a record from
 * an older app) it is the old "chance of having stopped buying".
 */
export function describeChurnChance(churnProbability: number, horizonDays: number | null | undefined): string {
  // Records cached before the horizon existed have no such member at all.
  if (horizonDays === null || horizonDays === undefined) return `${formatChance(churnProbability)} chance of having stopped buying`;
  return `${formatChance(churnProbability)} chance of no order in the next ${formatDays(horizonDays)}`;
}

export const CHURN_TIER_LABEL: Record<ChurnTierV1, string> = {
  low: 'Low risk',
  medium: 'Medium risk',
  high: 'High risk',
};

/** Shopify's segment names in plain words. */
export function formatSegment(segment: RfmSegmentV1 | null): string {
  if (segment === null) return 'No segment';
  const words = segment.toLowerCase().split('_').join(' ');
  return words.charAt(0).toUpperCase() + words.slice(1);
}

export function formatTimeAgo(ms: number, nowMs: number): string {
  const minutes = Math.round((nowMs - ms) / 60_000);
  if (minutes < 1) return 'just now';
  if (minutes < 60) return `${minutes} min ago`;
  const hours = Math.round(minutes / 60);
  if (hours < 48) return `${hours} h ago`;
  return `${Math.round(hours / 24)} days ago`;
}
