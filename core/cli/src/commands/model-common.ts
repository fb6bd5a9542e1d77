import { resolve } from 'node:path';
import { currencyExponent, CurrencyMismatchError, toCountedOrders, type CountedOrder, type Result } from '@clvlens/core';
import {
  compressSummaries,
  fitBetaGeo,
  fitGammaGamma,
  fitMbgCnbdK,
  fitParetoNbd,
  computeLogIntervalSums,
  MBG_CNBD_K,
  PARETO_NBD,
  summarizeOrders,
  type BetaGeoVariant,
  type BgNbdFit,
  type CompressedSummaries,
  type CustomerSummaries,
  type GammaGammaFit,
  type MbgCnbdFit,
  type ModelFitFailure,
  type ParetoNbdFit,
  type TimeUnit,
} from '@clvlens/core/models';
import { CliError, CliErrorCode } from '../errors.ts';
import type { CliIo } from '../io.ts';
import { createProgress } from '../progress.ts';
import { looksLikeCdnow } from '../readers/cdnow.ts';
import { readHead, textOptionsOf } from '../readers/csv-rows.ts';
import type { TextEncoding } from '../readers/text-decoding.ts';
import { createTranslator, type Locale, type Translator } from '@clvlens/core/i18n';
import { describeSkips } from '../report/scorecard-text.ts';
import { readCdnowFile, readOrdersFile } from '../readers/detect.ts';
import { checkDate, parseCurrencyOption, parseEncodingOption, parseLangOption, parseTimeZoneOption, type UsageError } from './command-line.ts';

/** Core's tag of each purchase model: a BG/NBD-family variant, Pareto/NBD or MBG/CNBD-k. */
export type ModelVariant = BetaGeoVariant | typeof PARETO_NBD | typeof MBG_CNBD_K;

/** Model names on the command line and in JSON output, and core's variant for each. */
export const MODEL_NAMES: Readonly<Record<string, ModelVariant>> = { bgnbd: 'bg-nbd', mbgnbd: 'mbg-nbd', pnbd: PARETO_NBD, mbgcnbd: MBG_CNBD_K };
export const MODEL_OF_VARIANT: Readonly<Record<ModelVariant, string>> = {
  'bg-nbd': 'bgnbd',
  'mbg-nbd': 'mbgnbd',
  [PARETO_NBD]: 'pnbd',
  [MBG_CNBD_K]: 'mbgcnbd',
};

/** Options shared by fit, predict and validate (node:util parseArgs shapes). */
export const COMMON_OPTIONS = {
  'time-unit': { type: 'string' },
  'calibration-end': { type: 'string' },
  timezone: { type: 'string' },
  currency: { type: 'string' },
  'skip-invalid': { type: 'boolean' },
  json: { type: 'boolean' },
  encoding: { type: 'string' },
  lang: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

export interface LoadedOrders {
  format: string;
  orders: CountedOrder[];
  currency: string;
  /** Orders left out before modelling, by reason (the readers' skips plus core's counting rules). */
  skippedByReason: Record<string, number>;
}

/** Reads CDNOW logs with the CDNOW reader and every other format with the CLI's detecting reader. */
export async function loadCountedOrders(
  file: string,
  io: CliIo,
  options: { timeZone: string; currency: string | null; skipInvalid: boolean; encoding?: TextEncoding; locale?: Locale },
): Promise<LoadedOrders> {
  const path = resolve(io.cwd, file);
  const text = textOptionsOf(options);
  const head = await readHead(path, file, text, 4096);
  if (looksLikeCdnow(head)) {
    const log = await readCdnowFile(path, file, options.currency, text);
    return { format: log.format, orders: log.orders, currency: log.currency, skippedByReason: {} };
  }
  const read = await readOrdersFile(path, file, {
    timeZone: options.timeZone,
    currency: options.currency,
    skipInvalid: options.skipInvalid,
    progress: createProgress(io.stderr, false, ''),
    ...text,
  });
  let counted;
  try {
    counted = toCountedOrders(read.orders);
  } catch (cause) {
    if (cause instanceof CurrencyMismatchError) {
      throw new CliError(CliErrorCode.mixedCurrency, `${file}: ${cause.message} Models need one currency.`, { cause });
    }
    throw cause;
  }
  const skipped: Record<string, number> = { ...read.skippedByReason };
  if (counted.skipped.notCounted > 0) skipped['not-counted'] = counted.skipped.notCounted;
  if (counted.skipped.noCustomer > 0) skipped['no-customer'] = counted.skipped.noCustomer;
  const { orders, currency } = counted;
  if (orders.length === 0) {
    throw new CliError(CliErrorCode.noOrders, `${file} holds no counted orders with a customer. ${describeSkips(createTranslator('en'), skipped)}`);
  }
  return { format: read.format, orders, currency: currency ?? options.currency ?? 'USD', skippedByReason: skipped };
}

/** Parsed common options. */
export interface CommonSettings {
  timeUnit: TimeUnit;
  timeZone: string;
  currency: string | null;
  skipInvalid: boolean;
  json: boolean;
  calibrationEnd: string | null;
  encoding: TextEncoding;
  locale: Locale;
}

export function parseCommon(values: Record<string, string | boolean | undefined>, usageError: UsageError, io?: CliIo): CommonSettings {
  const locale = parseLangOption(
    values.lang as string | undefined,
    io ?? { stdout: { write: () => 0 }, stderr: { write: () => 0 }, stderrIsTTY: false, cwd: '.' },
    usageError,
  );
  const encoding = parseEncodingOption(values.encoding as string | undefined, usageError);
  const timeUnit = (values['time-unit'] as string | undefined) ?? 'week';
  if (timeUnit !== 'week' && timeUnit !== 'day') throw usageError('cli.usage.timeUnit', { value: JSON.stringify(timeUnit) });
  const timeZone = parseTimeZoneOption(values.timezone as string | undefined, usageError);
  const calibrationEnd = (values['calibration-end'] as string | undefined) ?? null;
  if (calibrationEnd !== null) checkDate('--calibration-end', calibrationEnd, usageError);
  const currency = parseCurrencyOption(values.currency as string | undefined, usageError);
  return { timeUnit, timeZone, currency, skipInvalid: values['skip-invalid'] === true, json: values.json === true, calibrationEnd, encoding, locale };
}

/** `--model`: the command-line name (default bgnbd) and core's variant for it. */
export function parseModelOption(text: string | undefined, usageError: UsageError): { modelName: string; variant: ModelVariant } {
  const modelName = text ?? 'bgnbd';
  const variant = MODEL_NAMES[modelName];
  if (variant === undefined) throw usageError('cli.usage.model', { value: JSON.stringify(modelName) });
  return { modelName, variant };
}

/** The summaries, compressed rows and both fits for one command run. */
export interface ModelRun {
  summaries: CustomerSummaries;
  compressed: CompressedSummaries;
  fit: Result<BgNbdFit | ParetoNbdFit | MbgCnbdFit, ModelFitFailure>;
  spend: Result<GammaGammaFit, ModelFitFailure>;
}

export function runModels(
  orders: readonly CountedOrder[],
  variant: ModelVariant,
  settings: { calibrationEndMs: number; timeZone: string; timeUnit: TimeUnit; holdoutEndMs?: number },
): ModelRun {
  const summaries = summarizeOrders(orders, settings);
  if (summaries.customerKeys.length === 0) {
    throw new CliError(CliErrorCode.noOrders, 'no customer has an order on or before the calibration end.');
  }
  const compressed = compressSummaries(summaries);
  const fit =
    variant === PARETO_NBD
      ? fitParetoNbd(compressed)
      : variant === MBG_CNBD_K
        ? fitMbgCnbdK({
            frequency: summaries.frequency,
            recency: summaries.recency,
            age: summaries.age,
            logIntervalSum: computeLogIntervalSums(orders, summaries),
          })
        : fitBetaGeo(variant, compressed);
  const spend = fitGammaGamma({ frequency: summaries.frequency, monetaryValue: summaries.monetaryValueMinor });
  return { summaries, compressed, fit, spend };
}

/** Minor units per major unit of `currency` (100 for USD). */
export function minorPerMajor(currency: string): number {
  return 10 ** currencyExponent(currency);
}

/** Why a model could not be fitted or a choice made, in words (the code itself for one the catalog does not know). */
export function reasonText(t: Translator, reason: string): string {
  const key = `cli.reason.${reason}`;
  return t.has(key) ? t.t(key) : reason;
}

/** Message and exit code 3 (the data) for a model that could not be fitted. */
export function reportFitFailure(io: CliIo, command: string, model: string, reason: string, locale: Locale = 'en'): number {
  const t = createTranslator(locale);
  io.stderr.write(`clvlens: ${t.t('cli.model.failed', { command, model, reason: reasonText(t, reason) })}\n`);
  return 3;
}
