/** Languages CLV Lens speaks. English is the fallback for anything else. */
export const LOCALES = ['en', 'ko', 'ar'] as const;
export type Locale = (typeof LOCALES)[number];

/** Writing direction of a locale, for `dir` attributes. */
export function directionOf(locale: Locale): 'ltr' | 'rtl' {
  return locale === 'ar' ? 'rtl' : 'ltr';
}

/**
 * The supported locale for a tag as Shopify (`locale=ko-KR`), a browser (`ar-EG`) or POSIX (`ko_KR.UTF-8`,
 * `ar_SA@calendar`) writes it: the language subtag decides; unknown, empty, `C` and `POSIX` give English.
 */
export function resolveLocale(tag: string | null | undefined): Locale {
  const language =
    (tag ?? '')
      .trim()
      .toLowerCase()
      .split(/[-_.@]/)[0] ?? '';
  return (LOCALES as readonly string[]).includes(language) ? (language as Locale) : 'en';
}

/**
 * The CLI's default locale from the environment, in POSIX precedence: LC_ALL, then LC_MESSAGES, then LANG (the first
 * that is set and not empty). Takes the variables as an argument: core reads no environment.
 */
export function localeFromEnvironment(env: Readonly<Record<string, string | undefined>>): Locale {
  for (const name of ['LC_ALL', 'LC_MESSAGES', 'LANG']) {
    const value = env[name];
    if (value !== undefined && value !== '') return resolveLocale(value);
  }
  return 'en';
}
