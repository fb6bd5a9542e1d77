// `@clvlens/core/i18n/base`: the translator without the message catalogs, for a surface that ships its own subset of
// them (the extension's content script). Everything else uses `@clvlens/core/i18n`.
export { directionOf, LOCALES, resolveLocale } from './locales.ts';
export type { Locale } from './locales.ts';
export type { MessageParams } from './message-format.ts';
export type { MessageKey, Messages } from './messages/en.ts';
export { churnReasonsOf, churnReasonText, saysGoneQuiet } from './churn-reasons.ts';
export type { ChurnReasonInputs } from './churn-reasons.ts';
export { createTranslatorWith } from './translator-base.ts';
export type { Translator } from './translator-base.ts';
