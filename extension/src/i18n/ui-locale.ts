import { browser } from 'wxt/browser';
import { createTranslatorWith, LOCALES, resolveLocale, type Locale, type Messages, type Translator } from '@clvlens/core/i18n/base';
import { MESSAGES } from './messages.generated.ts';

/**
 * The catalog this context speaks: the keys used outside the extension's pages, and a page's own once it loads them
 * ({@link addPageMessages}). Together they hold every key the source uses (a test checks it), so it reads as full.
 */
let catalog: Readonly<Record<Locale, Partial<Messages>>> = MESSAGES;
const translatorFor = (locale: Locale): Translator => createTranslatorWith(locale, catalog[locale] as Messages);

/**
 * The browser's UI language (`browser.i18n.getUILanguage()`, what `--lang` sets in Chromium), else the page's
 * `navigator.language`. The extension speaks en, ko and ar; anything else reads English.
 */
export function uiLanguageTag(): string {
  try {
    const tag = browser.i18n?.getUILanguage?.();
    if (typeof tag === 'string' && tag !== '') return tag;
  } catch {
    // fakeBrowser and some test contexts have no i18n API.
  }
  return typeof navigator === 'undefined' ? 'en' : navigator.language;
}

let current: Translator | null = null;

/** One translator per extension context, in the browser's UI language (the shared catalog of `@clvlens/core/i18n`). */
export function ui(): Translator {
  return (current ??= translatorFor(resolveLocale(uiLanguageTag())));
}

/**
 * Adds the messages only the extension's pages use (page-messages.ts does, for the popup and the options page): the
 * content script, which runs on every admin page, never loads them.
 */
export function addPageMessages(more: Readonly<Record<Locale, Partial<Messages>>>): void {
  catalog = Object.fromEntries(LOCALES.map((locale) => [locale, { ...catalog[locale], ...more[locale] }])) as Record<Locale, Partial<Messages>>;
  if (current) current = translatorFor(current.locale);
}

/** For tests: the next {@link ui} call reads the language again (or uses `locale`). */
export function resetUiLocale(locale?: string): void {
  current = locale === undefined ? null : translatorFor(resolveLocale(locale));
}

/** Sets `lang` and `dir` on an extension page's root element. */
export function applyDocumentLocale(doc: Document): void {
  const t = ui();
  doc.documentElement.lang = t.locale;
  doc.documentElement.dir = t.dir;
}
