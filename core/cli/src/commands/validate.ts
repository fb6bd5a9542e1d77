import {
  compressSummaries,
  expectedOrderValueAllDays,
  gammaGammaExpectedAverageValue,
  meanAbsoluteError,
  topDecileCapture,
  DAY_MS,
  holdoutReport,
  purchaseModelConditionalExpectedPurchases,
  purchaseModelProbabilityNoPurchase,
  type CalibrationTable,
  type ChurnModels,
  type HoldoutReport,
  type PurchaseModelFit,
} from '@clvlens/core';
import type { CliIo } from '../io.ts';
import { appChoice, checkChurn, expectedOrdersDays, likelyOrdersDays, perCustomer, type AppChoice, type ChurnCheck } from './churn-choice.ts';
import { checkDate, endMs, parseFileCommand, usageErrorFor } from './command-line.ts';
import { COMMON_OPTIONS, COMMON_USAGE, loadCountedOrders, minorPerMajor, MODEL_NAMES, MODEL_OF_VARIANT, parseCommon, runModels } from './model-common.ts';

export const VALIDATE_USAGE = `Usage: clvlens validate <file> --calibration-end YYYY-MM-DD [--holdout-end YYYY-MM-DD] [options]

Fits every purchase model (bgnbd, mbgnbd, pnbd, mbgcnbd) on the calibration period, predicts the holdout period and reports actual
vs predicted totals (holdout only, and cumulative from the first purchase as in FHL 2005 Fig. 2), a table by
calibration frequency and the per-customer correlation.

Then, for churn (no counted order in the holdout, whose length is the horizon): the app's choice (the per-shop
prediction chosen by backtest, fitted on the calibration period with the holdout length as horizon) and each model's
P(no purchase in the holdout), each with its AUC beside that of days since the last order, a calibration table
(5 equal groups by predicted probability: mean predicted, observed share, gap) and the per-customer mean absolute
error of expected purchases.

Options:
  --holdout-end DATE         last day of the holdout period (default: last order day)
${COMMON_USAGE}`;

const OPTIONS = { ...COMMON_OPTIONS, 'holdout-end': { type: 'string' } } as const;

const usageError = usageErrorFor('validate', VALIDATE_USAGE);

type ModelReport = Omit<HoldoutReport<PurchaseModelFit>, 'model'> & { model: string };

/** validate's churn section: who placed no counted order in the holdout, against each prediction of it. */
interface ChurnReport {
  /** The holdout's length, days: the horizon of every probability here. */
  horizonDays: number;
  customers: number;
  /** Share of customers with no counted order in the holdout. */
  noOrderShare: number;
  baseline: { model: 'days-since-last-order'; auc: number | null };
  /** The app's choice, fitted on the calibration period (its own backtest inside it). */
  choice: ChurnCheck & {
    model: string;
    method: ChurnModels['method'];
    purchaseModel: string | null;
    /** Per tier on the holdout: customers and the share who ordered again. */
    tiers: { tier: 'low' | 'medium' | 'high'; customers: number; orderedAgainShare: number | null }[];
    backtest: NonNullable<ChurnModels['prediction']>['backtest'] | null;
    /**
     * Spend in the holdout per customer, minor units: the app's prediction (expected orders × each customer's expected
     * order value over all purchase days) against BG/NBD × Gamma-Gamma on repeat purchases (the published pairing,
     * the population mean for one-time buyers). Null without a backtested choice.
     */
    spend: { maeMinor: number; topDecileCapture: number; baselineMaeMinor: number | null; baselineTopDecileCapture: number | null } | null;
  };
  /** Each model's P(no purchase in the holdout), uncalibrated. */
  models: (ChurnCheck & { model: string })[];
}

/** `clvlens validate <file> --calibration-end ... [--holdout-end ...] --json`: the holdout report of every model. */
export async function runValidate(args: readonly string[], io: CliIo): Promise<number> {
  const command = parseFileCommand(args, OPTIONS, VALIDATE_USAGE, usageError, io);
  if (command === null) return 0;
  const { values, file } = command;
  const settings = parseCommon(values, usageError, io);
  if (settings.calibrationEnd === null) throw usageError('--calibration-end is required: the holdout starts the day after.');
  const holdoutEnd = values['holdout-end'] ?? null;
  if (holdoutEnd !== null) checkDate('--holdout-end', holdoutEnd, usageError);

  const loaded = await loadCountedOrders(file, io, settings);
  const calibrationEndMs = endMs(settings.calibrationEnd, loaded.orders, settings.timeZone);
  const holdoutEndMs = endMs(holdoutEnd, loaded.orders, settings.timeZone);
  if (!(holdoutEndMs > calibrationEndMs)) throw usageError('the holdout end must be after the calibration end.');

  const models: (ModelReport | { model: string; error: string })[] = [];
  const churnModels: (ChurnCheck & { model: string })[] = [];
  let labels: Float64Array | null = null;
  let actual: Float64Array | null = null;
  let baselineAuc: number | null = null;
  let customers = 0;
  let duration = 0;
  // BG/NBD × Gamma-Gamma spend per customer key, the baseline of the spend check.
  let classicSpend: Map<string, number> | null = null;
  for (const [name, variant] of Object.entries(MODEL_NAMES)) {
    const run = runModels(loaded.orders, variant, { calibrationEndMs, holdoutEndMs, timeZone: settings.timeZone, timeUnit: settings.timeUnit });
    customers = run.summaries.customerKeys.length;
    duration = run.summaries.holdout?.duration ?? 0;
    const s = run.summaries;
    actual ??= Float64Array.from(s.holdout!.frequency);
    labels ??= Float64Array.from(s.holdout!.frequency, (f) => (f === 0 ? 1 : 0));
    baselineAuc ??= checkChurn(
      Float64Array.from(s.age, (T, i) => T - s.recency[i]!),
      labels,
      null,
      actual,
    ).auc;
    if (!run.fit.ok) {
      models.push({ model: name, error: run.fit.reason });
      continue;
    }
    const report = holdoutReport(run.fit.value, run.summaries, run.compressed);
    models.push({ ...report, model: MODEL_OF_VARIANT[report.model] });
    const holdout = run.summaries.holdout!;
    const fit: PurchaseModelFit = run.fit.value;
    const noPurchase = perCustomer(run.compressed, (x, tx, T) => purchaseModelProbabilityNoPurchase(fit, holdout.duration, x, tx, T));
    const expected = perCustomer(run.compressed, (x, tx, T) => purchaseModelConditionalExpectedPurchases(fit, holdout.duration, x, tx, T));
    churnModels.push({ model: name, ...checkChurn(noPurchase, labels, expected, actual) });
    if (variant === 'bg-nbd' && run.spend.ok) {
      const gg = run.spend.value.params;
      classicSpend = new Map(
        s.customerKeys.map((key, i) => [key, expected[i]! * gammaGammaExpectedAverageValue(gg, s.frequency[i]!, s.monetaryValueMinor[i]!)]),
      );
    }
  }
  // The app's choice, fitted on the calibration period only with the holdout length as its horizon.
  const horizonDays = Math.round((holdoutEndMs - calibrationEndMs) / DAY_MS);
  const choice = appChoice(loaded.orders, { asOfMs: calibrationEndMs, timeZone: settings.timeZone, horizonDays, margin: 1, holdoutEndMs });
  const days = choice.days;
  const choiceLabels = Float64Array.from(days.holdout!.frequency, (f) => (f === 0 ? 1 : 0));
  const choiceProbability = Float64Array.from(days.customerKeys, (key) => choice.byCustomer.get(key)!.churnProbability);
  const choiceCheck = checkChurn(
    choiceProbability,
    choiceLabels,
    expectedOrdersDays(choice, horizonDays, compressSummaries(days)),
    Float64Array.from(days.holdout!.frequency),
    likelyOrdersDays(choice, horizonDays, compressSummaries(days)),
  );
  const backtest = choice.models.prediction?.backtest ?? null;
  const spend = spendCheck(choice, horizonDays, classicSpend);
  let noOrder = 0;
  for (const label of choiceLabels) noOrder += label;
  // The tiers on the holdout: the share who ordered again should fall from low to medium to high (clv-models.md §8b).
  const tiers = (['low', 'medium', 'high'] as const).map((tier) => {
    let count = 0;
    let again = 0;
    days.customerKeys.forEach((key, i) => {
      if (choice.byCustomer.get(key)!.churnTier !== tier) return;
      count++;
      again += 1 - choiceLabels[i]!;
    });
    return { tier, customers: count, orderedAgainShare: count === 0 ? null : again / count };
  });
  const churn: ChurnReport = {
    horizonDays,
    customers: days.customerKeys.length,
    noOrderShare: noOrder / days.customerKeys.length,
    baseline: { model: 'days-since-last-order', auc: baselineAuc },
    choice: {
      model: choice.modelName,
      method: choice.models.method,
      purchaseModel: choice.purchaseModel === null ? null : choice.purchaseModel.model,
      ...choiceCheck,
      tiers,
      backtest,
      spend,
    },
    models: churnModels,
  };
  const doc = {
    file,
    format: loaded.format,
    timeUnit: settings.timeUnit,
    timeZone: settings.timeZone,
    calibrationEnd: settings.calibrationEnd,
    holdoutEnd: holdoutEnd ?? new Date(holdoutEndMs).toISOString().slice(0, 10),
    holdoutDuration: duration,
    customers,
    models,
    churn,
  };
  if (settings.json) {
    io.stdout.write(`${JSON.stringify(doc, null, 2)}\n`);
    return models.some((m) => 'error' in m) ? 3 : 0;
  }
  const out: string[] = [
    `Holdout validation of ${file} (${loaded.format}): ${customers} customers, calibration to ${doc.calibrationEnd}, holdout to ${doc.holdoutEnd} (${duration.toFixed(2)} ${settings.timeUnit}s)`,
  ];
  for (const m of models) {
    out.push('');
    if ('error' in m) {
      out.push(`${m.model}: could not be fitted (${m.error})`);
      continue;
    }
    out.push(
      `${m.model}: ${Object.entries(m.params)
        .map(([name, value]) => `${name}=${name === 'k' ? value : value.toFixed(4)}`)
        .join(' ')} LL=${m.logLikelihood.toFixed(2)}`,
    );
    out.push(`  holdout purchases: actual ${m.holdout.actual}, predicted ${m.holdout.predicted.toFixed(1)} (${m.holdout.errorPercent.toFixed(1)}%)`);
    out.push(
      `  cumulative repeat purchases: actual ${m.cumulative.actual}, predicted ${m.cumulative.predicted.toFixed(1)} (${m.cumulative.errorPercent.toFixed(1)}%)`,
    );
    out.push(`  per-customer correlation: ${m.correlation.toFixed(3)}`);
    out.push('  x (calibration)  customers  actual mean  predicted mean');
    for (const row of m.byFrequency) {
      out.push(
        `  ${row.frequency.padStart(15)}  ${String(row.customers).padStart(9)}  ${row.actualMean.toFixed(3).padStart(11)}  ${row.predictedMean.toFixed(3).padStart(14)}`,
      );
    }
  }
  out.push('', ...churnText(churn, minorPerMajor(loaded.currency), loaded.currency));
  io.stdout.write(`${out.join('\n')}\n`);
  return models.some((m) => 'error' in m) ? 3 : 0;
}

/** The app's spend prediction for the holdout against the classic pairing, on what customers actually spent. */
function spendCheck(choice: AppChoice, horizonDays: number, classic: Map<string, number> | null): ChurnReport['choice']['spend'] {
  const prediction = choice.models.prediction;
  const expected = expectedOrdersDays(choice, horizonDays);
  if (prediction === null || prediction.spend === null || expected === null) return null;
  const days = choice.days;
  const value = expectedOrderValueAllDays(prediction.spend, days);
  const predicted = Float64Array.from(expected, (orders, i) => orders * value[i]!);
  const actual = days.holdout!.valueMinor;
  const mae = meanAbsoluteError(predicted, actual);
  const capture = topDecileCapture(predicted, actual);
  if (!mae.ok || !capture.ok) return null;
  let baselineMaeMinor: number | null = null;
  let baselineTopDecileCapture: number | null = null;
  if (classic !== null) {
    const base = Float64Array.from(days.customerKeys, (key) => classic.get(key) ?? 0);
    const m = meanAbsoluteError(base, actual);
    const c = topDecileCapture(base, actual);
    baselineMaeMinor = m.ok ? m.value : null;
    baselineTopDecileCapture = c.ok ? c.value : null;
  }
  return { maeMinor: mae.value, topDecileCapture: capture.value, baselineMaeMinor, baselineTopDecileCapture };
}

function fixed(value: number | null, digits = 3): string {
  return value === null ? 'n/a' : value.toFixed(digits);
}

function calibrationLines(table: CalibrationTable | null): string[] {
  if (table === null) return ['    calibration: not enough customers'];
  const out = [`    calibration (${table.bins.length} equal groups by predicted probability):`, '      mean predicted  observed share     gap'];
  for (const bin of table.bins) {
    out.push(
      `      ${bin.meanPredicted.toFixed(3).padStart(14)}  ${bin.observedShare.toFixed(3).padStart(14)}  ${(bin.gap >= 0 ? '+' : '') + bin.gap.toFixed(3)}`,
    );
  }
  out.push(`    largest gap between predicted and observed: ${table.maxAbsoluteGap.toFixed(3)}`);
  return out;
}

/** The churn section of the text report, in plain words. */
function churnText(churn: ChurnReport, perMajor: number, currency: string): string[] {
  const money = (minor: number | null): string => (minor === null ? 'n/a' : `${(minor / perMajor).toFixed(2)} ${currency}`);
  const share = (v: number | null): string => (v === null ? 'n/a' : `${(v * 100).toFixed(1)}%`);
  const base = fixed(churn.baseline.auc);
  const out = [
    `Churn: chance of no counted order in the ${churn.horizonDays}-day holdout (${(churn.noOrderShare * 100).toFixed(1)}% of ${churn.customers} customers placed none).`,
    `AUC: how often a customer who placed no order is ranked above one who did (0.5 = chance); days since the last order scores ${base}.`,
    '',
    `app's choice (fitted on the calibration period, as the app would): ${churn.choice.model}${churn.choice.purchaseModel === null ? '' : `, expected purchases from ${churn.choice.purchaseModel}`}`,
  ];
  const c = churn.choice;
  if (c.backtest !== null) {
    // A null MBG/CNBD-k is a finding, not a failure: the shop's buyers showed no regular rhythm (k = 1 is MBG/NBD).
    const candidateText = (k: { model: string; auc: number | null }): string =>
      k.model === 'mbg-cnbd-k' && k.auc === null
        ? 'mbg-cnbd-k not used (no regular rhythm found)'
        : k.model === 'mbg-cnbd-k'
          ? `mbg-cnbd-k ${fixed(k.auc)} (orders only)`
          : `${k.model} ${fixed(k.auc)}`;
    out.push(`    chosen on its own ${c.backtest.horizonDays}-day backtest: ${c.backtest.candidates.map(candidateText).join(', ')}`);
  }
  out.push(`    AUC ${fixed(c.auc)} (days since last order ${base})`, ...calibrationLines(c.calibration));
  out.push(`    expected purchases per customer: mean absolute error ${fixed(c.purchasesMae)}`);
  out.push(
    `    likeliest whole number of orders per customer (the median, the point forecast with the least absolute error): mean absolute error ${fixed(c.likelyOrdersMae)}`,
  );
  if (c.spend !== null) {
    out.push(
      `    spend per customer in the holdout (expected orders × each customer's own expected order value): mean absolute error ${money(c.spend.maeMinor)} (BG/NBD × Gamma-Gamma on repeat orders: ${money(c.spend.baselineMaeMinor)})`,
      `    the 10% predicted to spend most made ${share(c.spend.topDecileCapture)} of the holdout's spend (BG/NBD × Gamma-Gamma: ${share(c.spend.baselineTopDecileCapture)})`,
    );
  }
  out.push(
    `    ordered again in the holdout, by churn tier: ${c.tiers
      .map((t) => `${t.tier} ${t.orderedAgainShare === null ? 'n/a' : `${(t.orderedAgainShare * 100).toFixed(1)}%`} of ${t.customers}`)
      .join(', ')}`,
  );
  for (const m of churn.models) {
    out.push(
      '',
      `${m.model}: P(no purchase in the holdout), uncalibrated`,
      `    AUC ${fixed(m.auc)} (days since last order ${base})`,
      ...calibrationLines(m.calibration),
    );
    out.push(`    expected purchases per customer: mean absolute error ${fixed(m.purchasesMae)}`);
  }
  return out;
}
