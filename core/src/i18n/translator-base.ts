import { directionOf, type Locale } from './locales.ts';
import { formatMessage, type MessageParams } from './message-format.ts';
import type { MessageKey, Messages } from './messages/en.ts';

// The translator without the catalogs: a surface that ships only some messages (the extension's content script, where
// every kilobyte is paid on every admin page) builds one from its own subset; `translator.ts` adds the full catalogs.

/** Formats messages, numbers, money and dates for one locale. Pure: the locale and every value come in as arguments. */
export interface Translator {
  locale: Locale;
  /** `rtl` for Arabic. */
  dir: 'ltr' | 'rtl';
  /** The message `key` with `params` (numbers formatted and plurals chosen for the locale). */
  t(key: MessageKey, params?: MessageParams): string;
  /** Whether `key` is in the catalog (for keys built from data, such as `segment.<name>`). */
  has(key: string): key is MessageKey;
  /** A count or decimal (`1,234`; `digits` fixed fraction digits when given). */
  number(value: number, digits?: number): string;
  /** A fraction as a percentage: `0.123` -> `12.3%` (`n/a` for null). */
  percent(fraction: number | null, digits?: number): string;
  /**
   * Minor units of `currency` as money (`$1,234.50`, `US$1,234.50`, `‏1,234.50 US$`); `exponent` is the currency's
   * minor-unit exponent (default: Intl's digits for it). `n/a` for null.
   */
  money(amountMinor: number | null, currency: string, exponent?: number): string;
  /** A calendar date in `timeZone` (`Mar 5, 2026`, `2026. 3. 5.`, `٥ مارس ٢٠٢٦`). */
  date(ms: number, timeZone: string): string;
  /** A month `YYYY-MM` (`Mar 2026`). */
  month(yyyyMm: string): string;
  /** A time of day in `timeZone` or the viewer's zone. */
  time(ms: number, timeZone?: string): string;
  /** A list joined for the locale (`a, b, and c`). */
  list(items: readonly string[]): string;
}

/**
 * A {@link Translator} for `locale` over `messages` (the full catalog, or a subset holding every key its caller
 * uses). Formatters are built once per translator.
 */
export function createTranslatorWith(locale: Locale, messages: Messages): Translator {
  const tag = locale;
  const integer = new Intl.NumberFormat(tag);
  const fixed = new Map<number, Intl.NumberFormat>();
  const fixedFormat = (digits: number) => {
    let f = fixed.get(digits);
    if (!f) fixed.set(digits, (f = new Intl.NumberFormat(tag, { minimumFractionDigits: digits, maximumFractionDigits: digits })));
    return f;
  };
  const percents = new Map<number, Intl.NumberFormat>();
  const moneyFormats = new Map<string, Intl.NumberFormat>();
  const lists = new Intl.ListFormat(tag, { style: 'long', type: 'conjunction' });
  // Date formatters by shape and zone, built once each (building one costs far more than using it).
  const dateTimes = new Map<string, Intl.DateTimeFormat>();
  const dateTime = (key: string, options: () => Intl.DateTimeFormatOptions): Intl.DateTimeFormat => {
    let f = dateTimes.get(key);
    if (f === undefined) dateTimes.set(key, (f = new Intl.DateTimeFormat(tag, options())));
    return f;
  };
  const none = messages['value.none'];
  return {
    locale,
    dir: directionOf(locale),
    t: (key, params) => formatMessage(tag, messages[key], params),
    has: (key): key is MessageKey => Object.hasOwn(messages, key),
    number: (value, digits) => (Number.isFinite(value) ? (digits === undefined ? integer : fixedFormat(digits)).format(value) : none),
    percent(fraction, digits = 1) {
      if (fraction === null || !Number.isFinite(fraction)) return none;
      let f = percents.get(digits);
      if (!f) percents.set(digits, (f = new Intl.NumberFormat(tag, { style: 'percent', minimumFractionDigits: digits, maximumFractionDigits: digits })));
      return f.format(fraction);
    },
    money(amountMinor, currency, exponent) {
      if (amountMinor === null || !Number.isFinite(amountMinor)) return none;
      const key = `${currency}:${exponent ?? ''}`;
      let f = moneyFormats.get(key);
      if (!f) {
        let base: Intl.NumberFormat;
        try {
          base = new Intl.NumberFormat(tag, { style: 'currency', currency });
        } catch {
          // Not an ISO 4217 code (the app refuses those at ingest): plain digits and the code, never a thrown badge.
          const plain = exponent ?? 2;
          return `${fixedFormat(plain).format(Math.round(amountMinor) / 10 ** plain)} ${currency}`;
        }
        const digits = exponent ?? base.resolvedOptions().maximumFractionDigits ?? 2;
        moneyFormats.set(
          key,
          (f =
            exponent === undefined
              ? base
              : new Intl.NumberFormat(tag, { style: 'currency', currency, minimumFractionDigits: digits, maximumFractionDigits: digits })),
        );
      }
      const digits = exponent ?? f.resolvedOptions().maximumFractionDigits ?? 2;
      return f.format(Math.round(amountMinor) / 10 ** digits);
    },
    date: (ms, timeZone) =>
      dateTime(`date|${timeZone ?? ''}`, () => ({ year: 'numeric', month: 'short', day: 'numeric', ...(timeZone ? { timeZone } : {}) })).format(ms),
    month(yyyyMm) {
      const [y, m] = yyyyMm.split('-').map(Number);
      if (!y || !m) return yyyyMm;
      return dateTime('month', () => ({ year: 'numeric', month: 'short', timeZone: 'UTC' })).format(Date.UTC(y, m - 1, 15));
    },
    time: (ms, timeZone) => dateTime(`time|${timeZone ?? ''}`, () => ({ hour: '2-digit', minute: '2-digit', ...(timeZone ? { timeZone } : {}) })).format(ms),
    list: (items) => lists.format(items),
  };
}

/**
 * The status a scorecard row shows. Against a target, "on track" or "behind" after less than a week of the program
 * says nothing yet (0 weeks elapsed compares this week with itself), so it reads `too-early`.
 */
export function shownScorecardStatus(status: string, weeksElapsed: number): string {
  return weeksElapsed < 1 && (status === 'on-track' || status === 'behind') ? 'too-early' : status;
}

/**
 * How the 90-day churn trend reads: `rising` (churn up, an alarm), `falling` (churn down: good news, never shown as
 * an alarm), `normal`, or `insufficient`.
 */
export function churnTrendReading(alert: { status: string; direction: string | null }): 'rising' | 'falling' | 'normal' | 'insufficient' {
  if (alert.status === 'alert') return alert.direction === 'down' ? 'falling' : 'rising';
  return alert.status === 'normal' ? 'normal' : 'insufficient';
}
