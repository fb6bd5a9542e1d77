import { parseArgs, type ParseArgsOptionsConfig } from 'node:util';
import { endOfLocalDateMs, endOfLocalDayMs, isValidTimeZone, parseLocalDate } from '@clvlens/core/basics';
import { createTranslator, localeFromEnvironment, resolveLocale, type Locale, type MessageKey, type MessageParams } from '@clvlens/core/i18n';
import { CliError, CliErrorCode } from '../errors.ts';
import type { CliIo } from '../io.ts';
import { TEXT_ENCODINGS, type TextEncoding } from '../readers/text-decoding.ts';
import { isKnownCurrency } from '../readers/columns.ts';

/** A usage error's message: a catalog key (`cli.usage.*`, `cli.error.bad*`) and its values. */
export type UsageError = (key: MessageKey, values?: MessageParams) => CliError;

/**
 * Builds a command's usage error in `locale`: `<command>: <message>` followed by the command's usage text (exit 2).
 * `usage` is the help text per locale (the commands' `--help`), or one text for every locale.
 */
export function usageErrorFor(command: string, locale: Locale, usage: string | ((locale: Locale) => string)): UsageError {
  const t = createTranslator(locale);
  return (key, values) => new CliError(CliErrorCode.usage, `${command}: ${t.t(key, values)}\n\n${typeof usage === 'string' ? usage : usage(locale)}`);
}

/**
 * The language of messages before the options are parsed (a usage error or the top-level help may come first): the
 * value of `--lang` / `--lang=` resolved to a language we speak, else the environment's.
 */
export function localeOfArgs(args: readonly string[], io: CliIo): Locale {
  const i = args.indexOf('--lang');
  const tag = i >= 0 ? args[i + 1] : args.find((a) => a.startsWith('--lang='))?.slice('--lang='.length);
  return tag !== undefined ? resolveLocale(tag) : localeFromEnvironment(io.env ?? {});
}

/** A command's `--help` text in `locale`, from the catalog (`cli.help.<command>` with the options all share). */
export function helpText(command: 'report' | 'fit' | 'predict' | 'validate', locale: Locale): string {
  const t = createTranslator(locale);
  return t.t(`cli.help.${command}`, { common: t.t('cli.help.common') });
}

/** The language of `--help`: `--lang` when it names one we speak, else the environment's (help never fails on it). */
function helpLocale(lang: unknown, io: CliIo): Locale {
  return typeof lang === 'string' ? resolveLocale(lang) : localeFromEnvironment(io.env ?? {});
}

/**
 * Parses `<file> [options]` strictly (unknown options are usage errors). Returns null after printing `usage` for
 * `--help` (in the `--lang` or environment language when `usage` is given per locale); otherwise the option values
 * and the one file named.
 */
export function parseFileCommand<const O extends ParseArgsOptionsConfig>(
  args: readonly string[],
  options: O,
  usage: string | ((locale: Locale) => string),
  usageError: UsageError,
  io: CliIo,
) {
  let parsed;
  try {
    parsed = parseArgs({ args: [...args], options, allowPositionals: true, strict: true });
  } catch (error) {
    throw parseArgsError(error, usageError);
  }
  const { values, positionals } = parsed;
  if ((values as Record<string, unknown>)['help'] === true) {
    io.stdout.write(typeof usage === 'string' ? usage : usage(helpLocale((values as Record<string, unknown>)['lang'], io)));
    return null;
  }
  if (positionals.length !== 1) throw positionals.length === 0 ? usageError('cli.usage.noFile') : usageError('cli.usage.manyFiles', { n: positionals.length });
  return { values, file: positionals[0]! };
}

/**
 * Node's `parseArgs` errors (English, with the option in quotes) as a usage error in the command's language, by the
 * error's code: an unknown option, an option without its value, or anything else with Node's words kept.
 */
function parseArgsError(error: unknown, usageError: UsageError): CliError {
  const code = (error as { code?: unknown } | null)?.code;
  const message = error instanceof Error ? error.message : String(error);
  const option = /'(-{1,2}[^' ]+)/.exec(message)?.[1];
  if (option !== undefined && code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') return usageError('cli.usage.unknownOption', { option });
  if (option !== undefined && code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') return usageError('cli.usage.missingValue', { option });
  return usageError('cli.usage.badArguments', { detail: message });
}

/** `--timezone`: an IANA zone, UTC when not given. */
export function parseTimeZoneOption(text: string | undefined, usageError: UsageError): string {
  const timeZone = text ?? 'UTC';
  if (!isValidTimeZone(timeZone)) throw usageError('cli.usage.timezone', { value: JSON.stringify(timeZone) });
  return timeZone;
}

/** `--currency`: an ISO 4217 code (trimmed, upper-cased), null when not given. */
export function parseCurrencyOption(text: string | undefined, usageError: UsageError): string | null {
  const currency = text === undefined ? null : text.trim().toUpperCase();
  if (currency !== null && !isKnownCurrency(currency)) throw usageError('cli.usage.currency', { value: JSON.stringify(text) });
  return currency;
}

/** Throws a usage error naming `option` unless `text` is a calendar date `YYYY-MM-DD`. */
export function checkDate(option: string, text: string, usageError: UsageError, example = '1997-09-30'): void {
  if (!parseLocalDate(text).ok) throw usageError('cli.usage.date', { option, value: JSON.stringify(text), example });
}

/** UTC epoch ms of the end of `date` (YYYY-MM-DD) in `timeZone`, or of the local day of the last order when null. */
export function endMs(date: string | null, orders: readonly { placedAtMs: number }[], timeZone: string): number {
  if (date !== null) return endOfLocalDateMs(date, timeZone);
  let last = Number.NEGATIVE_INFINITY;
  for (const order of orders) if (order.placedAtMs > last) last = order.placedAtMs;
  return endOfLocalDayMs(last, timeZone);
}

/** `--lang en|ko|ar`; without it, the language of LC_ALL, LC_MESSAGES or LANG (English when none is supported). */
export function parseLangOption(text: string | undefined, io: CliIo, usageError: UsageError): Locale {
  if (text === undefined) return localeFromEnvironment(io.env ?? {});
  const locale = resolveLocale(text);
  if (locale !== text.trim().toLowerCase()) throw usageError('cli.error.badLang', { value: JSON.stringify(text) });
  return locale;
}

/** `--encoding utf8|latin1` (also `utf-8`, `iso-8859-1`), utf8 when not given. */
export function parseEncodingOption(text: string | undefined, usageError: UsageError): TextEncoding {
  if (text === undefined) return 'utf8';
  const name = text
    .trim()
    .toLowerCase()
    .replace(/^utf-8$/, 'utf8')
    .replace(/^(iso-?8859-1|windows-1252|cp1252)$/, 'latin1');
  if (!(TEXT_ENCODINGS as readonly string[]).includes(name)) throw usageError('cli.error.badEncoding', { value: JSON.stringify(text) });
  return name as TextEncoding;
}
