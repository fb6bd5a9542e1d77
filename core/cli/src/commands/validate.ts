import { DAY_MS, type ChurnModels } from '@clvlens/core';
import {
  compressSummaries,
  expectedOrderValueAllDays,
  gammaGammaExpectedAverageValue,
  meanAbsoluteError,
  topDecileCapture,
  holdoutReport,
  purchaseModelConditionalExpectedPurchases,
  purchaseModelProbabilityNoPurchase,
  type CalibrationTable,
  type HoldoutReport,
  type PurchaseModelFit,
} from '@clvlens/core/models';
import type { CliIo } from '../io.ts';
import { padEnd, padStart, width } from '../text-columns.ts';
import { appChoice, checkChurn, columnOf, expectedOrdersDays, likelyOrdersDays, perCustomer, type AppChoice, type ChurnCheck } from './churn-choice.ts';
import { createTranslator, type Translator } from '@clvlens/core/i18n';
import { checkDate, endMs, helpText, localeOfArgs, parseFileCommand, usageErrorFor } from './command-line.ts';
import { reasonText, COMMON_OPTIONS, loadCountedOrders, minorPerMajor, MODEL_NAMES, MODEL_OF_VARIANT, parseCommon, runModels } from './model-common.ts';

/** `clvlens validate --help` in English (the usage appended to usage errors); `--help` prints it in the chosen language. */
export const VALIDATE_USAGE = helpText('validate', 'en');

const OPTIONS = { ...COMMON_OPTIONS, 'holdout-end': { type: 'string' } } as const;

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
  const usageError = usageErrorFor('validate', localeOfArgs(args, io), (locale) => helpText('validate', locale));
  const command = parseFileCommand(args, OPTIONS, (locale) => helpText('validate', locale), usageError, io);
  if (command === null) return 0;
  const { values, file } = command;
  const settings = parseCommon(values, usageError, io);
  if (settings.calibrationEnd === null) throw usageError('cli.usage.calibrationEndRequired');
  const holdoutEnd = values['holdout-end'] ?? null;
  if (holdoutEnd !== null) checkDate('--holdout-end', holdoutEnd, usageError);

  const loaded = await loadCountedOrders(file, io, settings);
  const calibrationEndMs = endMs(settings.calibrationEnd, loaded.orders, settings.timeZone);
  const holdoutEndMs = endMs(holdoutEnd, loaded.orders, settings.timeZone);
  if (!(holdoutEndMs > calibrationEndMs)) throw usageError('cli.usage.holdoutOrder');

  const checked = checkPurchaseModels(loaded.orders, { calibrationEndMs, holdoutEndMs, timeZone: settings.timeZone, timeUnit: settings.timeUnit });
  const churn = checkAppChoice(loaded.orders, { calibrationEndMs, holdoutEndMs, timeZone: settings.timeZone }, checked);
  const { models, customers, duration } = checked;
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
  const code = models.some((m) => 'error' in m) ? 3 : 0;
  if (settings.json) {
    io.stdout.write(`${JSON.stringify(doc, null, 2)}\n`);
    return code;
  }
  const t = createTranslator(settings.locale);
  const out = [...modelsText(t, doc, settings.timeUnit), '', ...churnText(t, churn, minorPerMajor(loaded.currency), loaded.currency)];
  io.stdout.write(`${out.join('\n')}\n`);
  return code;
}

/** What {@link checkPurchaseModels} found: each model's holdout report and churn check, and what the app's check reuses. */
interface PurchaseModelChecks {
  models: (ModelReport | { model: string; error: string })[];
  churnModels: (ChurnCheck & { model: string })[];
  customers: number;
  /** The holdout's length in the time unit. */
  duration: number;
  /** The days-since-last-order rule's AUC: the baseline every churn prediction is held against. */
  baselineAuc: number | null;
  /** BG/NBD × Gamma-Gamma spend per customer key, the baseline of the spend check. */
  classicSpend: Map<string, number> | null;
}

/**
 * Fits every purchase model on the calibration period and holds it against the holdout: purchases per calibration
 * frequency (Fader, Hardie and Lee 2005's table), and each customer's P(no purchase) against who placed none.
 */
function checkPurchaseModels(
  orders: Parameters<typeof runModels>[0],
  window: { calibrationEndMs: number; holdoutEndMs: number; timeZone: string; timeUnit: Parameters<typeof runModels>[2]['timeUnit'] },
): PurchaseModelChecks {
  const checks: PurchaseModelChecks = { models: [], churnModels: [], customers: 0, duration: 0, baselineAuc: null, classicSpend: null };
  let labels: Float64Array | null = null;
  let actual: Float64Array | null = null;
  for (const [name, variant] of Object.entries(MODEL_NAMES)) {
    const run = runModels(orders, variant, window);
    const s = run.summaries;
    checks.customers = s.customerKeys.length;
    checks.duration = s.holdout?.duration ?? 0;
    actual ??= Float64Array.from(s.holdout!.frequency);
    labels ??= columnOf(s.holdout!.frequency, (f) => (f === 0 ? 1 : 0));
    checks.baselineAuc ??= checkChurn(
      columnOf(s.age, (T, i) => T - s.recency[i]!),
      labels,
      null,
      actual,
    ).auc;
    if (!run.fit.ok) {
      checks.models.push({ model: name, error: run.fit.reason });
      continue;
    }
    const report = holdoutReport(run.fit.value, s, run.compressed);
    checks.models.push({ ...report, model: MODEL_OF_VARIANT[report.model] });
    const holdout = s.holdout!;
    const fit: PurchaseModelFit = run.fit.value;
    const noPurchase = perCustomer(run.compressed, (x, tx, T) => purchaseModelProbabilityNoPurchase(fit, holdout.duration, x, tx, T));
    const expected = perCustomer(run.compressed, (x, tx, T) => purchaseModelConditionalExpectedPurchases(fit, holdout.duration, x, tx, T));
    checks.churnModels.push({ model: name, ...checkChurn(noPurchase, labels, expected, actual) });
    if (variant === 'bg-nbd' && run.spend.ok) {
      const gg = run.spend.value.params;
      checks.classicSpend = new Map(
        s.customerKeys.map((key, i) => [key, expected[i]! * gammaGammaExpectedAverageValue(gg, s.frequency[i]!, s.monetaryValueMinor[i]!)]),
      );
    }
  }
  return checks;
}

/**
 * The app's choice, fitted on the calibration period only with the holdout length as its horizon, held against the
 * holdout beside the days-since-last-order rule and each purchase model (`checked`).
 */
function checkAppChoice(
  orders: Parameters<typeof appChoice>[0],
  window: { calibrationEndMs: number; holdoutEndMs: number; timeZone: string },
  checked: PurchaseModelChecks,
): ChurnReport {
  const { calibrationEndMs, holdoutEndMs } = window;
  const horizonDays = Math.round((holdoutEndMs - calibrationEndMs) / DAY_MS);
  const choice = appChoice(orders, { asOfMs: calibrationEndMs, timeZone: window.timeZone, horizonDays, margin: 1, holdoutEndMs });
  const days = choice.days;
  const choiceLabels = columnOf(days.holdout!.frequency, (f) => (f === 0 ? 1 : 0));
  const choiceProbability = columnOf(days.customerKeys, (key) => choice.byCustomer.get(key)!.churnProbability);
  // The summaries compressed once, and the expected orders computed once: the churn check and the spend check use both.
  const compressed = compressSummaries(days);
  const expected = expectedOrdersDays(choice, horizonDays, compressed);
  const choiceCheck = checkChurn(
    choiceProbability,
    choiceLabels,
    expected,
    Float64Array.from(days.holdout!.frequency),
    likelyOrdersDays(choice, horizonDays, compressed),
  );
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
  return {
    horizonDays,
    customers: days.customerKeys.length,
    noOrderShare: noOrder / days.customerKeys.length,
    baseline: { model: 'days-since-last-order', auc: checked.baselineAuc },
    choice: {
      model: choice.modelName,
      method: choice.models.method,
      purchaseModel: choice.purchaseModel === null ? null : choice.purchaseModel.model,
      ...choiceCheck,
      tiers,
      backtest: choice.models.prediction?.backtest ?? null,
      spend: spendCheck(choice, expected, checked.classicSpend),
    },
    models: checked.churnModels,
  };
}

/** The title and each purchase model's holdout section (parameters, totals, the table by calibration frequency). */
function modelsText(
  t: Translator,
  doc: {
    file: string;
    format: string;
    customers: number;
    calibrationEnd: string;
    holdoutEnd: string;
    holdoutDuration: number;
    models: PurchaseModelChecks['models'];
  },
  timeUnit: string,
): string[] {
  // Numbers are plain digits with a point, as in the JSON and the papers, so a figure reads the same in every language.
  const out: string[] = [
    t.t('cli.validate.title', {
      file: doc.file,
      format: doc.format,
      customers: doc.customers,
      calibrationEnd: doc.calibrationEnd,
      holdoutEnd: doc.holdoutEnd,
      duration: doc.holdoutDuration.toFixed(2),
      unit: timeUnit,
    }),
  ];
  // Columns as wide as their heading in this language (in terminal columns), at least as wide as the English ones.
  const headings = (['frequency', 'customers', 'actualMean', 'predictedMean'] as const).map((c) => t.t(`cli.validate.col.${c}`));
  const widths = headings.map((h, i) => Math.max(width(h), [15, 9, 11, 14][i]!));
  for (const m of doc.models) {
    out.push('');
    if ('error' in m) {
      out.push(t.t('cli.validate.notFitted', { model: m.model, reason: reasonText(t, m.error) }));
      continue;
    }
    out.push(
      t.t('cli.validate.params', {
        model: m.model,
        params: Object.entries(m.params)
          .map(([name, value]) => `${name}=${name === 'k' ? value : value.toFixed(4)}`)
          .join(' '),
        logLikelihood: m.logLikelihood.toFixed(2),
      }),
    );
    const error = (percent: number) => `${percent.toFixed(1)}%`;
    out.push(
      `  ${t.t('cli.validate.holdout', { actual: String(m.holdout.actual), predicted: m.holdout.predicted.toFixed(1), error: error(m.holdout.errorPercent) })}`,
    );
    out.push(
      `  ${t.t('cli.validate.cumulative', { actual: String(m.cumulative.actual), predicted: m.cumulative.predicted.toFixed(1), error: error(m.cumulative.errorPercent) })}`,
    );
    out.push(`  ${t.t('cli.validate.correlation', { r: m.correlation.toFixed(3) })}`);
    out.push(`  ${headings.map((h, i) => (i === 0 ? padEnd(h, widths[0]!) : padStart(h, widths[i]!))).join('  ')}`);
    for (const row of m.byFrequency) {
      const cells = [row.frequency, String(row.customers), row.actualMean.toFixed(3), row.predictedMean.toFixed(3)];
      out.push(`  ${cells.map((c, i) => padStart(c, widths[i]!)).join('  ')}`);
    }
  }
  return out;
}

/**
 * The app's spend prediction for the holdout (`expected` orders per customer, in `choice.days` order) against the
 * classic pairing, on what customers actually spent.
 */
function spendCheck(choice: AppChoice, expected: Float64Array | null, classic: Map<string, number> | null): ChurnReport['choice']['spend'] {
  const prediction = choice.models.prediction;
  if (prediction === null || prediction.spend === null || expected === null) return null;
  const days = choice.days;
  const value = expectedOrderValueAllDays(prediction.spend, days);
  const predicted = columnOf(expected, (orders, i) => orders * value[i]!);
  const actual = days.holdout!.valueMinor;
  const mae = meanAbsoluteError(predicted, actual);
  const capture = topDecileCapture(predicted, actual);
  if (!mae.ok || !capture.ok) return null;
  let baselineMaeMinor: number | null = null;
  let baselineTopDecileCapture: number | null = null;
  if (classic !== null) {
    const base = columnOf(days.customerKeys, (key) => classic.get(key) ?? 0);
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

function calibrationLines(t: Translator, table: CalibrationTable | null): string[] {
  if (table === null) return [`    ${t.t('cli.validate.calibrationNone')}`];
  const cols = [t.t('cli.validate.col.meanPredicted'), t.t('cli.validate.col.observedShare'), t.t('cli.validate.col.gap')];
  const w = cols.map((c, i) => Math.max(width(c), [14, 14, 6][i]!));
  const out = [`    ${t.t('cli.validate.calibrationTitle', { groups: table.bins.length })}`, `      ${cols.map((c, i) => padStart(c, w[i]!)).join('  ')}`];
  for (const bin of table.bins) {
    out.push(
      `      ${padStart(bin.meanPredicted.toFixed(3), w[0]!)}  ${padStart(bin.observedShare.toFixed(3), w[1]!)}  ${padStart((bin.gap >= 0 ? '+' : '') + bin.gap.toFixed(3), w[2]!)}`,
    );
  }
  out.push(`    ${t.t('cli.validate.largestGap', { gap: table.maxAbsoluteGap.toFixed(3) })}`);
  return out;
}

/** The churn section of the text report, in plain words, in the translator's language. */
function churnText(t: Translator, churn: ChurnReport, perMajor: number, currency: string): string[] {
  const money = (minor: number | null): string => (minor === null ? t.t('value.none') : `${(minor / perMajor).toFixed(2)} ${currency}`);
  const share = (v: number | null): string => (v === null ? t.t('value.none') : `${(v * 100).toFixed(1)}%`);
  const base = fixed(churn.baseline.auc);
  const c = churn.choice;
  const out = [
    t.t('cli.validate.churn', { days: churn.horizonDays, share: share(churn.noOrderShare), customers: churn.customers }),
    t.t('cli.validate.aucIntro', { auc: base }),
    '',
    c.purchaseModel === null
      ? t.t('cli.validate.choice', { model: c.model })
      : t.t('cli.validate.choiceWith', { model: c.model, purchaseModel: c.purchaseModel }),
  ];
  if (c.backtest !== null) {
    // A null MBG/CNBD-k is a finding, not a failure: the shop's buyers showed no regular rhythm (k = 1 is MBG/NBD).
    const candidateText = (k: { model: string; auc: number | null }): string =>
      k.model === 'mbg-cnbd-k' && k.auc === null
        ? t.t('cli.validate.candidateNoRhythm', { model: k.model })
        : k.model === 'mbg-cnbd-k'
          ? t.t('cli.validate.candidateOrdersOnly', { model: k.model, auc: fixed(k.auc) })
          : t.t('cli.validate.candidate', { model: k.model, auc: fixed(k.auc) });
    out.push(`    ${t.t('cli.validate.backtest', { days: c.backtest.horizonDays, candidates: t.list(c.backtest.candidates.map(candidateText)) })}`);
  }
  out.push(`    ${t.t('cli.validate.auc', { auc: fixed(c.auc), baseline: base })}`, ...calibrationLines(t, c.calibration));
  out.push(`    ${t.t('cli.validate.purchasesMae', { mae: fixed(c.purchasesMae) })}`);
  out.push(`    ${t.t('cli.validate.likelyMae', { mae: fixed(c.likelyOrdersMae) })}`);
  if (c.spend !== null) {
    out.push(
      `    ${t.t('cli.validate.spendMae', { mae: money(c.spend.maeMinor), baseline: money(c.spend.baselineMaeMinor) })}`,
      `    ${t.t('cli.validate.topDecile', { share: share(c.spend.topDecileCapture), baseline: share(c.spend.baselineTopDecileCapture) })}`,
    );
  }
  out.push(
    `    ${t.t('cli.validate.tiers', {
      tiers: t.list(c.tiers.map((x) => t.t('cli.validate.tier', { tier: x.tier, share: share(x.orderedAgainShare), customers: String(x.customers) }))),
    })}`,
  );
  for (const m of churn.models) {
    out.push(
      '',
      t.t('cli.validate.modelChurn', { model: m.model }),
      `    ${t.t('cli.validate.auc', { auc: fixed(m.auc), baseline: base })}`,
      ...calibrationLines(t, m.calibration),
    );
    out.push(`    ${t.t('cli.validate.purchasesMae', { mae: fixed(m.purchasesMae) })}`);
  }
  return out;
}
