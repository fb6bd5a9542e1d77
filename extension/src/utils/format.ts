import type { ChurnTierV1, RfmSegmentV1 } from '@clvlens/core';

const DAY_MS = 86_400_000;

function currencyDigits(currency: string): number {
  try {
    return new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
  } catch {
    return 2;
  }
}

/** Money from integer minor units, using the currency's own exponent (JPY 0, USD 2, KWD 3). */
export function formatMoney(amountMinor: number, currency: string, locale?: string): string {
  const digits = currencyDigits(currency);
  const amount = amountMinor / 10 ** digits;
  try {
    return new Intl.NumberFormat(locale, { style: 'currency', currency }).format(amount);
  } catch {
    return `${amount.toFixed(digits)} ${currency}`;
  }
}

/** Short money for badges: "$1.2K". */
export function formatMoneyCompact(amountMinor: number, currency: string, locale?: string): string {
  const amount = amountMinor / 10 ** currencyDigits(currency);
  try {
    return new Intl.NumberFormat(locale, {
      style: 'currency',
      currency,
      notation: 'compact',
      maximumFractionDigits: amount < 1000 ? 0 : 1,
    }).format(amount);
  } catch {
    return `${Math.round(amount)} ${currency}`;
  }
}

export function formatPercent(fraction: number): string {
  return `${Math.round(fraction * 100)}%`;
}

/** A calendar date in UTC (the API's times are UTC epoch ms; day precision is enough here). */
export function formatDate(ms: number, locale?: string): string {
  return new Date(ms).toLocaleDateString(locale, { year: 'numeric', month: 'short', day: 'numeric', timeZone: 'UTC' });
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
