import type { Translator } from '@clvlens/core/i18n';

const DAY_MS = 86_400_000;

// Building an Intl.NumberFormat costs ~0.1-0.2 ms (an ICU lookup) while formatting with one costs ~1 µs, and a list
// page renders 50-250 badges at once: formatters are made once per locale, currency and shape.
const compactFormatters = new Map<string, Intl.NumberFormat>();
const digitsByCurrency = new Map<string, number>();

/** Short money for badges in the locale: "$1.2K", "US$120", "١٢٠ US$". */
export function formatMoneyCompact(t: Translator, amountMinor: number, currency: string): string {
  let digits = digitsByCurrency.get(currency);
  if (digits === undefined) {
    try {
      digits = new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
    } catch {
      return t.money(amountMinor, currency);
    }
    digitsByCurrency.set(currency, digits);
  }
  const amount = amountMinor / 10 ** digits;
  const fractionDigits = amount < 1000 ? 0 : 1;
  const key = `${t.locale}|${currency}|${fractionDigits}`;
  let f = compactFormatters.get(key);
  if (!f)
    compactFormatters.set(
      key,
      (f = new Intl.NumberFormat(t.locale, { style: 'currency', currency, notation: 'compact', maximumFractionDigits: fractionDigits })),
    );
  return f.format(amount);
}

/**
 * A probability as a whole percentage that never reads as a certainty: "<1%" and ">99%" at the ends, where rounding
 * would say 0% or 100%.
 */
export function formatChance(t: Translator, fraction: number): string {
  if (fraction < 0.005) return `<${t.percent(0.01, 0)}`;
  if (fraction >= 0.995) return `>${t.percent(0.99, 0)}`;
  return t.percent(fraction, 0);
}

/**
 * The churn probability in words: "82% chance of no order in the next 90 days". Without a horizon (a record from an
 * older app) it is the old "chance of having stopped buying".
 */
export function describeChurnChance(t: Translator, churnProbability: number, horizonDays: number | null | undefined): string {
  const chance = formatChance(t, churnProbability);
  if (horizonDays === null || horizonDays === undefined) return t.t('ext.chanceOld', { chance });
  return t.t('ext.chance', { chance, days: horizonDays });
}

/** The viewer's time zone (the admin shows dates in the shop's zone; the merchant's browser is the closest known). */
let viewerZone: string | null = null;
export function viewerTimeZone(): string {
  // Read once per page: building the formatter that tells it costs more than a whole badge's other work.
  return (viewerZone ??= Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC');
}

const dayFormatters = new Map<string, Intl.DateTimeFormat>();

/** The calendar day of `ms` in `timeZone`, as a day number (days since 1970-01-01 of that local date). */
export function localDayNumber(ms: number, timeZone: string): number {
  let f = dayFormatters.get(timeZone);
  if (!f) dayFormatters.set(timeZone, (f = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' })));
  const parts = f.formatToParts(ms);
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value);
  return Math.round(Date.UTC(get('year'), get('month') - 1, get('day')) / DAY_MS);
}

/** "just now", "5 minutes ago", "3 hours ago", "2 days ago". */
export function formatTimeAgo(t: Translator, ms: number, nowMs: number): string {
  const minutes = Math.round((nowMs - ms) / 60_000);
  if (minutes < 1) return t.t('ext.popup.justNow');
  if (minutes < 60) return t.t('ext.popup.minutesAgo', { n: minutes });
  const hours = Math.round(minutes / 60);
  if (hours < 48) return t.t('ext.popup.hoursAgo', { n: hours });
  return t.t('ext.popup.daysAgo', { n: Math.round(hours / 24) });
}
