// Public entry of `@clvlens/core/i18n`: the message catalog (en, ko, ar) and pure formatting for every surface (CLI,
// HTML report, embedded dashboard, extension). Dependency-free and self-contained (nothing but types imported from outside this folder), so
// the dashboard serves these files to the browser as they are.
export { directionOf, localeFromEnvironment, LOCALES, resolveLocale } from './locales.ts';
export type { Locale } from './locales.ts';
export { formatMessage, MessageSyntaxError, messageArguments, pluralCategoriesUsed } from './message-format.ts';
export type { MessageParams, MessageValue } from './message-format.ts';
export { EN } from './messages/en.ts';
export type { MessageKey, Messages } from './messages/en.ts';
export { churnReasonsOf, churnReasonText, saysGoneQuiet } from './churn-reasons.ts';
export type { ChurnReasonInputs } from './churn-reasons.ts';
export { churnTrendReading, createTranslator, createTranslatorWith, messagesOf, shownScorecardStatus } from './translator.ts';
export type { Translator } from './translator.ts';
