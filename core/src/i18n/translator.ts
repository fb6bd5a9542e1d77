import type { Locale } from './locales.ts';
import { AR } from './messages/ar.ts';
import { EN, type Messages } from './messages/en.ts';
import { KO } from './messages/ko.ts';
import { createTranslatorWith, type Translator } from './translator-base.ts';

export { churnTrendReading, createTranslatorWith, shownScorecardStatus } from './translator-base.ts';
export type { Translator } from './translator-base.ts';

const CATALOGS: Readonly<Record<Locale, Messages>> = { en: EN, ko: KO, ar: AR };

/** The messages of `locale` (for a page that formats in the browser, or a test). */
export function messagesOf(locale: Locale): Messages {
  return CATALOGS[locale];
}

/** A {@link Translator} for `locale` over the full catalog. Formatters are built once per translator. */
export function createTranslator(locale: Locale): Translator {
  return createTranslatorWith(locale, CATALOGS[locale]);
}
