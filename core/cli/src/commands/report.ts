import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { MonthlySpend, ShopReportOptions } from '@clvlens/core';
import { CliError, CliErrorCode } from '../errors.ts';
import { readMonthlySpend } from '../inputs/spend.ts';
import { readSurveyResponses } from '../inputs/surveys.ts';
import type { CliIo } from '../io.ts';
import { createProgress } from '../progress.ts';
import { readOrdersFile } from '../readers/detect.ts';
import { describeIoError } from '../readers/csv-rows.ts';
import { buildReportDocument } from '../report/report-document.ts';
import { computeReport } from '../report/side-metrics.ts';
import { renderHtmlPage } from '../report/html-page.ts';
import { createTranslator } from '@clvlens/core/i18n';
import { describeSkips, formatScorecardText } from '../report/scorecard-text.ts';
import {
  endMs,
  helpText,
  checkDate,
  localeOfArgs,
  parseCurrencyOption,
  parseEncodingOption,
  parseFileCommand,
  parseLangOption,
  parseTimeZoneOption,
  usageErrorFor,
} from './command-line.ts';

/** `clvlens report --help` in English (the usage appended to usage errors); `--help` prints it in the chosen language. */
export const REPORT_USAGE = helpText('report', 'en');

const OPTIONS = {
  'as-of': { type: 'string' },
  timezone: { type: 'string' },
  'window-days': { type: 'string' },
  margin: { type: 'string' },
  surveys: { type: 'string' },
  spend: { type: 'string' },
  currency: { type: 'string' },
  'skip-invalid': { type: 'boolean' },
  json: { type: 'boolean' },
  html: { type: 'string' },
  progress: { type: 'boolean' },
  encoding: { type: 'string' },
  lang: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** `clvlens report`: reads one orders file, runs core's computeShopReport, prints the scorecard or JSON. */
export async function runReport(args: readonly string[], io: CliIo): Promise<number> {
  const usageError = usageErrorFor('report', localeOfArgs(args, io), (locale) => helpText('report', locale));
  const command = parseFileCommand(args, OPTIONS, (locale) => helpText('report', locale), usageError, io);
  if (command === null) return 0;
  const { values, file } = command;

  const locale = parseLangOption(values.lang, io, usageError);
  const encoding = parseEncodingOption(values.encoding, usageError);
  const timeZone = parseTimeZoneOption(values.timezone, usageError);
  if (values['as-of'] !== undefined) checkDate('--as-of', values['as-of'], usageError, '2025-06-30');
  const windowDays = values['window-days'] === undefined ? undefined : Number(values['window-days']);
  if (windowDays !== undefined && !(Number.isInteger(windowDays) && windowDays >= 1)) {
    throw usageError('cli.usage.windowDays', { value: JSON.stringify(values['window-days']) });
  }
  const marginFraction = values.margin === undefined ? undefined : Number(values.margin);
  if (marginFraction !== undefined && !(/^\s*\d*\.?\d+\s*$/.test(values.margin ?? '') && marginFraction >= 0 && marginFraction <= 1)) {
    throw usageError('cli.usage.margin', { value: JSON.stringify(values.margin) });
  }
  const currency = parseCurrencyOption(values.currency, usageError);

  const showProgress = io.stderrIsTTY || values.progress === true;
  const read = await readOrdersFile(resolve(io.cwd, file), file, {
    timeZone,
    currency,
    skipInvalid: values['skip-invalid'] === true,
    progress: createProgress(io.stderr, showProgress, `reading ${file}`),
    encoding,
    locale,
  });
  if (read.orders.length === 0) {
    throw new CliError(
      CliErrorCode.noOrders,
      `${file} holds no orders to report on (${read.dataRows} data rows). ${describeSkips(createTranslator('en'), read.skippedByReason)}`,
    );
  }
  const shopCurrency = read.orders[0]?.currency ?? currency ?? 'USD';
  const foreignOffsets = (read.timeOffsets ?? []).filter((offset) => offset !== '+0000');
  if (values.timezone === undefined && foreignOffsets.length > 0) {
    // Shopify writes datetimes in the shop's zone: a non-zero offset means days and weeks in UTC are not the shop's.
    io.stderr.write(
      `clvlens: note: ${file} has times at UTC offset ${foreignOffsets.join(', ')} but days, weeks and months are taken in UTC; ` +
        'pass --timezone Area/City (the shop time zone) to match Shopify.\n',
    );
  }

  const asOfMs = endMs(values['as-of'] ?? null, read.orders, timeZone);

  const options: ShopReportOptions = { asOfMs, timeZone, currency: shopCurrency };
  if (windowDays !== undefined) options.windowDays = windowDays;
  if (marginFraction !== undefined) options.marginFraction = marginFraction;
  if (values.surveys !== undefined) {
    const surveys = await readSurveyResponses(resolve(io.cwd, values.surveys), values.surveys, createProgress(io.stderr, false, ''));
    options.surveys = surveys;
  }
  if (values.spend !== undefined) {
    const spend: MonthlySpend[] = await readMonthlySpend(resolve(io.cwd, values.spend), values.spend, shopCurrency, createProgress(io.stderr, false, ''));
    options.spendByMonth = spend;
  }

  const report = await computeReport(read.orders, options);
  const doc = buildReportDocument(report, read, {
    asOfSource: values['as-of'] === undefined ? 'last-order-day' : 'option',
    surveysFile: values.surveys ?? null,
    spendFile: values.spend ?? null,
  });

  if (values.html !== undefined) {
    try {
      await writeFile(resolve(io.cwd, values.html), renderHtmlPage(doc, locale));
    } catch (cause) {
      throw new CliError(CliErrorCode.outputUnwritable, `cannot write ${values.html}: ${describeIoError(cause)}.`, { cause });
    }
    io.stderr.write(`clvlens: wrote ${values.html}\n`);
  }
  io.stdout.write(values.json === true ? `${JSON.stringify(doc, null, 2)}\n` : formatScorecardText(doc, locale));
  return 0;
}
