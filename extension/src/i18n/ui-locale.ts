import { browser } from 'wxt/browser';
import { createTranslatorWith, resolveLocale, type Locale, type Messages, type Translator } from '@clvlens/core/i18n/base';
import { MESSAGES } from './messages.generated.ts';

/** The extension's subset of the catalog holds every key its source uses (a test checks it), so it reads as full. */
const translatorFor = (locale: Locale): Translator => createTranslatorWith(locale, MESSAGES[locale] as Messages);

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
