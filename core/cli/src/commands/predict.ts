import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { DAYS_PER_TIME_UNIT, predictCustomers, purchaseModelProbabilityNoPurchase, summarizeOrders, type CustomerSummaries } from '@clvlens/core/models';
import { CliError, CliErrorCode } from '../errors.ts';
import type { CliIo } from '../io.ts';
import { describeIoError } from '../readers/csv-rows.ts';
import { appChoice, columnOf, expectedOrdersDays, perCustomer } from './churn-choice.ts';
import { createTranslator } from '@clvlens/core/i18n';
import { endMs, helpText, localeOfArgs, parseFileCommand, usageErrorFor } from './command-line.ts';
import { reasonText, COMMON_OPTIONS, loadCountedOrders, minorPerMajor, parseCommon, parseModelOption, reportFitFailure, runModels } from './model-common.ts';

/** `clvlens predict --help` in English (the usage appended to usage errors); `--help` prints it in the chosen language. */
export const PREDICT_USAGE = helpText('predict', 'en');

const OPTIONS = {
  ...COMMON_OPTIONS,
  model: { type: 'string' },
  horizon: { type: 'string' },
  out: { type: 'string' },
  'clv-months': { type: 'string' },
  'discount-rate': { type: 'string' },
  margin: { type: 'string' },
} as const;

/** --horizon when not given: 13 weeks, or 90 days (the app's default horizon). */
const DEFAULT_HORIZON = { week: 13, day: 90 } as const;

const CSV_HEADER = 'customer_id,frequency,recency,T,p_alive,expected_purchases,expected_avg_value,clv,model,churn_probability,churn_tier,new_customer';

/**
 * Every customer's predictions besides the summary columns, in the summaries' customer order; NaN where a value is not
 * available. Columns rather than an object per customer: CDNOW_master x10 has 235,700 customers, and on the benchmark
 * machine every megabyte a run touches costs time (its page faults were a quarter of `predict`'s main thread).
 */
interface PredictionColumns {
  pAlive: ArrayLike<number>;
  expectedPurchases: ArrayLike<number>;
  expectedAvgValue: ArrayLike<number>;
  clv: ArrayLike<number>;
  /** The same for every customer: one model per run. */
  model: string;
  churnProbability: ArrayLike<number>;
  /** Null when the run has no tiers (a model chosen with --model). */
  churnTier: readonly ('low' | 'medium' | 'high' | null)[] | null;
  /** Null when the run does not tell new customers apart (a model chosen with --model). */
  newCustomer: readonly (boolean | null)[] | null;
}

/** Customer i's predictions for JSON, non-finite values as null. */
function jsonRow(c: PredictionColumns, i: number): Record<string, number | string | boolean | null> {
  const finite = (value: number) => (Number.isFinite(value) ? value : null);
  return {
    pAlive: finite(c.pAlive[i]!),
    expectedPurchases: finite(c.expectedPurchases[i]!),
    expectedAvgValue: finite(c.expectedAvgValue[i]!),
    clv: finite(c.clv[i]!),
    model: c.model,
    churnProbability: finite(c.churnProbability[i]!),
    churnTier: c.churnTier === null ? null : c.churnTier[i]!,
    newCustomer: c.newCustomer === null ? null : c.newCustomer[i]!,
  };
}

/** Customers per written piece of the CSV: about 300 KB of text, so the whole file is never one string. */
const CSV_ROWS_PER_CHUNK = 4096;

/**
 * predict's CSV (header, then one line per customer) in pieces of {@link CSV_ROWS_PER_CHUNK} lines. Each piece is
 * joined from an array of its lines, so it is one flat string: a piece built by appending is a tree of some 80,000
 * parts, and when standard output is a pipe the pieces wait in the stream's queue, where each young-generation GC
 * copied those trees (0.1-0.2 s per GC, about 0.7 s in all on CDNOW_master x10).
 */
function* csvChunks(s: CustomerSummaries, c: PredictionColumns): Generator<string> {
  const lines = [CSV_HEADER];
  const n = s.customerKeys.length;
  for (let i = 0; i < n; i++) {
    const tier = c.churnTier === null ? null : c.churnTier[i]!;
    const isNew = c.newCustomer === null ? null : c.newCustomer[i]!;
    lines.push(
      `${csvField(s.customerKeys[i]!)},${s.frequency[i]},${num(s.recency[i]!, 6)},${num(s.age[i]!, 6)},` +
        `${num(c.pAlive[i]!, 6)},${num(c.expectedPurchases[i]!, 6)},${num(c.expectedAvgValue[i]!, 4)},${num(c.clv[i]!, 4)},` +
        `${c.model},${num(c.churnProbability[i]!, 6)},${tier ?? ''},${isNew === null ? '' : String(isNew)}`,
    );
    if (lines.length === CSV_ROWS_PER_CHUNK) {
      yield `${lines.join('\n')}\n`;
      lines.length = 0;
    }
  }
  if (lines.length > 0) yield `${lines.join('\n')}\n`;
}

function csvField(text: string): string {
  return /[",\n\r]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/**
 * `value` rounded to `digits` decimals as `toFixed` rounds, written without trailing zeros (`1.5`, not `1.500000`);
 * '' when not finite. Equal to `String(Number(value.toFixed(digits)))` (checked on random values by the test), without
 * parsing it back for the usual values: that round trip was the larger part of writing 235,700 rows.
 */
export function num(value: number, digits: number): string {
  if (!Number.isFinite(value)) return '';
  const fixed = value.toFixed(digits);
  // Up to 15 significant digits (|value| < 1e8, at most 6 decimals here) a decimal string is the shortest that reads
  // back as the same double, so trimming is exact; larger values take the round trip.
  if (!(Math.abs(value) < 1e8) || digits > 6) return String(Number(fixed));
  let end = fixed.length;
  while (fixed.charCodeAt(end - 1) === 48) end--;
  if (fixed.charCodeAt(end - 1) === 46) end--;
  const text = fixed.slice(0, end);
  return text === '-0' ? '0' : text;
}

/** `clvlens predict <file> [--horizon <t>] [--model <name>] --out predictions.csv`: per-customer churn probability, P(alive), expected purchases and CLV. */
export async function runPredict(args: readonly string[], io: CliIo): Promise<number> {
  const usageError = usageErrorFor('predict', localeOfArgs(args, io), (locale) => helpText('predict', locale));
  const command = parseFileCommand(args, OPTIONS, (locale) => helpText('predict', locale), usageError, io);
  if (command === null) return 0;
  const { values, file } = command;
  // `classifier` is the app's path with its classifier forced; the other names are one purchase model alone.
  const forceClassifier = values.model === 'classifier';
  const chosenModel = values.model === undefined || forceClassifier ? null : parseModelOption(values.model, usageError);
  const settings = parseCommon(values, usageError, io);
  const t = createTranslator(settings.locale);
  const horizon = values.horizon === undefined ? DEFAULT_HORIZON[settings.timeUnit] : Number(values.horizon);
  if (!(Number.isFinite(horizon) && horizon > 0)) throw usageError('cli.usage.horizon', { value: JSON.stringify(values.horizon) });
  const clvMonths = values['clv-months'] === undefined ? 12 : Number(values['clv-months']);
  if (!(Number.isInteger(clvMonths) && clvMonths >= 0)) throw usageError('cli.usage.clvMonths', { value: JSON.stringify(values['clv-months']) });
  const discount = values['discount-rate'] === undefined ? undefined : Number(values['discount-rate']);
  if (discount !== undefined && !(discount >= 0 && Number.isFinite(discount)))
    throw usageError('cli.usage.discountRate', { value: JSON.stringify(values['discount-rate']) });
  const margin = values.margin === undefined ? 1 : Number(values.margin);
  if (!(margin >= 0 && margin <= 1)) throw usageError('cli.usage.margin', { value: JSON.stringify(values.margin) });

  const horizonDays = Math.round(horizon * DAYS_PER_TIME_UNIT[settings.timeUnit]);
  if (horizonDays < 1) throw usageError('cli.usage.horizonDay', { value: JSON.stringify(values.horizon) });

  const loaded = await loadCountedOrders(file, io, settings);
  const calibrationEndMs = endMs(settings.calibrationEnd, loaded.orders, settings.timeZone);
  const perMajor = minorPerMajor(loaded.currency);
  let s: CustomerSummaries;
  let columns: PredictionColumns;
  if (chosenModel === null) {
    const choice = appChoice(loaded.orders, {
      asOfMs: calibrationEndMs,
      timeZone: settings.timeZone,
      horizonDays,
      margin,
      horizonMonths: clvMonths,
      ...(discount === undefined ? {} : { annualDiscountRate: discount }),
      ...(forceClassifier ? { candidate: 'classifier' as const } : {}),
    });
    if (forceClassifier && choice.models.prediction === null) {
      io.stderr.write(`clvlens: ${t.t('cli.predict.classifierFailed', { reason: reasonText(t, choice.models.fallbackReason ?? 'unknown') })}\n`);
      return 3;
    }
    if (choice.models.prediction === null) {
      io.stderr.write(
        `clvlens: ${t.t('cli.predict.noChoice', { reason: reasonText(t, choice.models.fallbackReason ?? 'unknown'), model: choice.modelName })}\n`,
      );
    }
    s = summarizeOrders(loaded.orders, { calibrationEndMs, timeZone: settings.timeZone, timeUnit: settings.timeUnit });
    const expected = expectedOrdersDays(choice, horizonDays);
    const positionOf = new Map(choice.days.customerKeys.map((key, i) => [key, i]));
    const n = s.customerKeys.length;
    const pAlive = new Float64Array(n);
    const expectedPurchases = new Float64Array(n);
    const expectedAvgValue = new Float64Array(n);
    const clv = new Float64Array(n);
    const churnProbability = new Float64Array(n);
    const churnTier: ('low' | 'medium' | 'high' | null)[] = [];
    const newCustomer: (boolean | null)[] = [];
    for (let k = 0; k < n; k++) {
      const key = s.customerKeys[k]!;
      const c = choice.byCustomer.get(key)!;
      const i = positionOf.get(key)!;
      pAlive[k] = c.pAlive;
      expectedPurchases[k] = expected === null ? Number.NaN : expected[i]!;
      expectedAvgValue[k] = c.expectedAvgValueMinor / perMajor;
      clv[k] = c.predictedClvMinor === null ? Number.NaN : c.predictedClvMinor / perMajor;
      churnProbability[k] = c.churnProbability;
      churnTier.push(c.churnTier);
      newCustomer.push(c.newCustomer);
    }
    columns = { pAlive, expectedPurchases, expectedAvgValue, clv, model: choice.modelName, churnProbability, churnTier, newCustomer };
  } else {
    const { modelName, variant } = chosenModel;
    const run = runModels(loaded.orders, variant, { calibrationEndMs, timeZone: settings.timeZone, timeUnit: settings.timeUnit });
    if (!run.fit.ok) return reportFitFailure(io, 'predict', modelName, run.fit.reason, settings.locale);
    if (!run.spend.ok) io.stderr.write(`clvlens: ${t.t('cli.predict.gammaGammaFailed', { reason: reasonText(t, run.spend.reason) })}\n`);
    const predictions = predictCustomers(run.fit.value, run.spend.ok ? run.spend.value.params : null, run.summaries, run.compressed, horizon, {
      horizonMonths: clvMonths,
      margin,
      ...(discount === undefined ? {} : { annualDiscountRate: discount }),
    });
    const fit = run.fit.value;
    // The horizon in whole days, in the model's time unit, so that churn_probability means the same with either unit.
    const horizonT = horizonDays / DAYS_PER_TIME_UNIT[settings.timeUnit];
    const noPurchase = perCustomer(run.compressed, (x, tx, T) => purchaseModelProbabilityNoPurchase(fit, horizonT, x, tx, T));
    s = run.summaries;
    const perMajorOf = (minor: Float64Array) => columnOf(minor, (value) => value / perMajor);
    columns = {
      pAlive: predictions.pAlive,
      expectedPurchases: predictions.expectedPurchases,
      expectedAvgValue: perMajorOf(predictions.expectedAverageValueMinor),
      clv: perMajorOf(predictions.clvMinor),
      model: modelName,
      churnProbability: noPurchase,
      churnTier: null,
      newCustomer: null,
    };
  }
  const summaries = s;
  const chunks: Iterable<string> = settings.json
    ? [
        `${JSON.stringify(
          {
            file,
            format: loaded.format,
            timeUnit: settings.timeUnit,
            horizon,
            horizonDays,
            customers: summaries.customerKeys.map((id, i) => ({
              customerId: id,
              frequency: summaries.frequency[i],
              recency: summaries.recency[i],
              T: summaries.age[i],
              ...jsonRow(columns, i),
            })),
          },
          null,
          2,
        )}\n`,
      ]
    : csvChunks(summaries, columns);
  if (values.out === undefined) {
    for (const chunk of chunks) io.stdout.write(chunk);
    return 0;
  }
  try {
    await writeFile(resolve(io.cwd, values.out), chunks);
  } catch (cause) {
    throw new CliError(CliErrorCode.outputUnwritable, `cannot write ${values.out}: ${describeIoError(cause)}.`, { cause });
  }
  io.stderr.write(`clvlens: ${t.t('cli.predict.wrote', { n: s.customerKeys.length, file: values.out })}\n`);
  return 0;
}
