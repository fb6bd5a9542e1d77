import { parseArgs, type ParseArgsOptionsConfig } from 'node:util';
import { endOfLocalDateMs, endOfLocalDayMs, isValidTimeZone, parseLocalDate } from '@clvlens/core';
import { createTranslator, localeFromEnvironment, resolveLocale, type Locale } from '@clvlens/core/i18n';
import { CliError, CliErrorCode } from '../errors.ts';
import type { CliIo } from '../io.ts';
import { TEXT_ENCODINGS, type TextEncoding } from '../readers/text-decoding.ts';

/** Builds a command's usage error: `<command>: <message>` followed by the command's usage text (exit 2). */
export function usageErrorFor(command: string, usage: string): (message: string) => CliError {
  return (message) => new CliError(CliErrorCode.usage, `${command}: ${message}\n\n${usage}`);
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
  usageError: (message: string) => CliError,
  io: CliIo,
) {
  let parsed;
  try {
    parsed = parseArgs({ args: [...args], options, allowPositionals: true, strict: true });
  } catch (error) {
    throw usageError(error instanceof Error ? error.message : String(error));
  }
  const { values, positionals } = parsed;
  if ((values as Record<string, unknown>)['help'] === true) {
    io.stdout.write(typeof usage === 'string' ? usage : usage(helpLocale((values as Record<string, unknown>)['lang'], io)));
    return null;
  }
  if (positionals.length !== 1) throw usageError(positionals.length === 0 ? 'name the orders file.' : `expected one file, got ${positionals.length}.`);
  return { values, file: positionals[0]! };
}

/** `--timezone`: an IANA zone, UTC when not given. */
export function parseTimeZoneOption(text: string | undefined, usageError: (message: string) => CliError): string {
  const timeZone = text ?? 'UTC';
  if (!isValidTimeZone(timeZone)) throw usageError(`--timezone ${JSON.stringify(timeZone)} is not an IANA time zone like Europe/Paris.`);
  return timeZone;
}

/** `--currency`: an ISO 4217 code (trimmed, upper-cased), null when not given. */
export function parseCurrencyOption(text: string | undefined, usageError: (message: string) => CliError): string | null {
  const currency = text === undefined ? null : text.trim().toUpperCase();
  if (currency !== null && !/^[A-Z]{3}$/.test(currency)) throw usageError(`--currency ${JSON.stringify(text)} is not an ISO 4217 code like USD.`);
  return currency;
}

/** Throws a usage error naming `option` unless `text` is a calendar date `YYYY-MM-DD`. */
export function checkDate(option: string, text: string, usageError: (message: string) => CliError): void {
  if (!parseLocalDate(text).ok) throw usageError(`${option} ${JSON.stringify(text)} is not a date like 1997-09-30.`);
}

/** UTC epoch ms of the end of `date` (YYYY-MM-DD) in `timeZone`, or of the local day of the last order when null. */
export function endMs(date: string | null, orders: readonly { placedAtMs: number }[], timeZone: string): number {
  if (date !== null) return endOfLocalDateMs(date, timeZone);
  let last = Number.NEGATIVE_INFINITY;
  for (const order of orders) if (order.placedAtMs > last) last = order.placedAtMs;
  return endOfLocalDayMs(last, timeZone);
}

/** `--lang en|ko|ar`; without it, the language of LC_ALL, LC_MESSAGES or LANG (English when none is supported). */
export function parseLangOption(text: string | undefined, io: CliIo, usageError: (message: string) => CliError): Locale {
  if (text === undefined) return localeFromEnvironment(io.env ?? {});
  const locale = resolveLocale(text);
  if (locale !== text.trim().toLowerCase()) throw usageError(createTranslator('en').t('cli.error.badLang', { value: JSON.stringify(text) }));
  return locale;
}

/** `--encoding utf8|latin1` (also `utf-8`, `iso-8859-1`), utf8 when not given. */
export function parseEncodingOption(text: string | undefined, locale: Locale, usageError: (message: string) => CliError): TextEncoding {
  if (text === undefined) return 'utf8';
  const name = text
    .trim()
    .toLowerCase()
    .replace(/^utf-8$/, 'utf8')
    .replace(/^(iso-?8859-1|windows-1252|cp1252)$/, 'latin1');
  if (!(TEXT_ENCODINGS as readonly string[]).includes(name))
    throw usageError(createTranslator(locale).t('cli.error.badEncoding', { value: JSON.stringify(text) }));
  return name as TextEncoding;
}
