import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { DAYS_PER_TIME_UNIT, predictCustomers, purchaseModelProbabilityNoPurchase, summarizeOrders, type CustomerSummaries } from '@clvlens/core/models';
import { CliError, CliErrorCode } from '../errors.ts';
import type { CliIo } from '../io.ts';
import { describeIoError } from '../readers/csv-rows.ts';
import { appChoice, columnOf, expectedOrdersDays, perCustomer } from './churn-choice.ts';
import { createTranslator, type Translator } from '@clvlens/core/i18n';
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

/** What the prediction's value part takes: the CLV horizon, margin and discount rate. */
interface ValueOptions {
  horizonMonths: number;
  margin: number;
  annualDiscountRate?: number;
}

/** The summaries and the prediction columns, or why none (a fit that failed); `notes` are told on stderr. */
type Predicted =
  | { ok: true; summaries: CustomerSummaries; columns: PredictionColumns; notes: ((t: Translator) => string)[] }
  | { ok: false; reason: { kind: 'fit'; modelName: string; reason: string } | { kind: 'classifier'; reason: string } };

/**
 * The app's choice (the classifier over the best purchase model, or that model alone), as the app scores customers:
 * its churn probability, tier and CLV per customer, in the summaries' order.
 */
function appChoiceColumns(
  orders: Parameters<typeof appChoice>[0],
  window: { calibrationEndMs: number; timeZone: string; timeUnit: CustomerSummaries['timeUnit'] },
  horizonDays: number,
  value: ValueOptions,
  forceClassifier: boolean,
  perMajor: number,
): Predicted {
  const choice = appChoice(orders, {
    asOfMs: window.calibrationEndMs,
    timeZone: window.timeZone,
    horizonDays,
    margin: value.margin,
    horizonMonths: value.horizonMonths,
    ...(value.annualDiscountRate === undefined ? {} : { annualDiscountRate: value.annualDiscountRate }),
    ...(forceClassifier ? { candidate: 'classifier' as const } : {}),
  });
  const fallbackReason = choice.models.fallbackReason ?? 'unknown';
  if (forceClassifier && choice.models.prediction === null) return { ok: false, reason: { kind: 'classifier', reason: fallbackReason } };
  const notes: ((t: Translator) => string)[] = [];
  if (choice.models.prediction === null) notes.push((t) => t.t('cli.predict.noChoice', { reason: reasonText(t, fallbackReason), model: choice.modelName }));
  const s = summarizeOrders(orders, window);
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
  const columns = { pAlive, expectedPurchases, expectedAvgValue, clv, model: choice.modelName, churnProbability, churnTier, newCustomer };
  return { ok: true, summaries: s, columns, notes };
}

/** One purchase model alone (`--model`), with Gamma-Gamma for the order value when it fits. */
function modelColumns(
  orders: Parameters<typeof runModels>[0],
  window: { calibrationEndMs: number; timeZone: string; timeUnit: CustomerSummaries['timeUnit'] },
  chosen: { modelName: string; variant: Parameters<typeof runModels>[1] },
  horizon: number,
  horizonDays: number,
  value: ValueOptions,
  perMajor: number,
): Predicted {
  const run = runModels(orders, chosen.variant, window);
  if (!run.fit.ok) return { ok: false, reason: { kind: 'fit', modelName: chosen.modelName, reason: run.fit.reason } };
  const notes: ((t: Translator) => string)[] = [];
  const spend = run.spend;
  if (!spend.ok) notes.push((t) => t.t('cli.predict.gammaGammaFailed', { reason: reasonText(t, spend.reason) }));
  const predictions = predictCustomers(run.fit.value, spend.ok ? spend.value.params : null, run.summaries, run.compressed, horizon, value);
  const fit = run.fit.value;
  // The horizon in whole days, in the model's time unit, so that churn_probability means the same with either unit.
  const horizonT = horizonDays / DAYS_PER_TIME_UNIT[window.timeUnit];
  const noPurchase = perCustomer(run.compressed, (x, tx, T) => purchaseModelProbabilityNoPurchase(fit, horizonT, x, tx, T));
  const perMajorOf = (minor: Float64Array) => columnOf(minor, (v) => v / perMajor);
  const columns: PredictionColumns = {
    pAlive: predictions.pAlive,
    expectedPurchases: predictions.expectedPurchases,
    expectedAvgValue: perMajorOf(predictions.expectedAverageValueMinor),
    clv: perMajorOf(predictions.clvMinor),
    model: chosen.modelName,
    churnProbability: noPurchase,
    churnTier: null,
    newCustomer: null,
  };
  return { ok: true, summaries: run.summaries, columns, notes };
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
  const window = { calibrationEndMs, timeZone: settings.timeZone, timeUnit: settings.timeUnit };
  const value = { horizonMonths: clvMonths, margin, ...(discount === undefined ? {} : { annualDiscountRate: discount }) };
  const predicted =
    chosenModel === null
      ? appChoiceColumns(loaded.orders, window, horizonDays, value, forceClassifier, minorPerMajor(loaded.currency))
      : modelColumns(loaded.orders, window, chosenModel, horizon, horizonDays, value, minorPerMajor(loaded.currency));
  if (!predicted.ok) {
    if (predicted.reason.kind === 'fit') return reportFitFailure(io, 'predict', predicted.reason.modelName, predicted.reason.reason, settings.locale);
    io.stderr.write(`clvlens: ${t.t('cli.predict.classifierFailed', { reason: reasonText(t, predicted.reason.reason) })}\n`);
    return 3;
  }
  for (const note of predicted.notes) io.stderr.write(`clvlens: ${note(t)}\n`);
  const { summaries, columns } = predicted;
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
  io.stderr.write(`clvlens: ${t.t('cli.predict.wrote', { n: summaries.customerKeys.length, file: values.out })}\n`);
  return 0;
}
