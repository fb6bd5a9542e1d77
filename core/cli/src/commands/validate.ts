import { holdoutReport, type HoldoutReport, type PurchaseModelFit } from '@clvlens/core';
import type { CliIo } from '../io.ts';
import { checkDate, endMs, parseFileCommand, usageErrorFor } from './command-line.ts';
import { COMMON_OPTIONS, COMMON_USAGE, loadCountedOrders, MODEL_NAMES, MODEL_OF_VARIANT, parseCommon, runModels } from './model-common.ts';

export const VALIDATE_USAGE = `Usage: clvlens validate <file> --calibration-end YYYY-MM-DD [--holdout-end YYYY-MM-DD] [options]

Fits every purchase model (bgnbd, mbgnbd, pnbd) on the calibration period, predicts the holdout period and reports actual
vs predicted totals (holdout only, and cumulative from the first purchase as in FHL 2005 Fig. 2), a table by
calibration frequency and the per-customer correlation.

Options:
  --holdout-end DATE         last day of the holdout period (default: last order day)
${COMMON_USAGE}`;

const OPTIONS = { ...COMMON_OPTIONS, 'holdout-end': { type: 'string' } } as const;

const usageError = usageErrorFor('validate', VALIDATE_USAGE);

type ModelReport = Omit<HoldoutReport<PurchaseModelFit>, 'model'> & { model: string };

/** `clvlens validate <file> --calibration-end ... [--holdout-end ...] --json`: the holdout report of every model. */
export async function runValidate(args: readonly string[], io: CliIo): Promise<number> {
  const command = parseFileCommand(args, OPTIONS, VALIDATE_USAGE, usageError, io);
  if (command === null) return 0;
  const { values, file } = command;
  const settings = parseCommon(values, usageError);
  if (settings.calibrationEnd === null) throw usageError('--calibration-end is required: the holdout starts the day after.');
  const holdoutEnd = values['holdout-end'] ?? null;
  if (holdoutEnd !== null) checkDate('--holdout-end', holdoutEnd, usageError);

  const loaded = await loadCountedOrders(file, io, settings);
  const calibrationEndMs = endMs(settings.calibrationEnd, loaded.orders, settings.timeZone);
  const holdoutEndMs = endMs(holdoutEnd, loaded.orders, settings.timeZone);
  if (!(holdoutEndMs > calibrationEndMs)) throw usageError('the holdout end must be after the calibration end.');

  const models: (ModelReport | { model: string; error: string })[] = [];
  let customers = 0;
  let duration = 0;
  for (const [name, variant] of Object.entries(MODEL_NAMES)) {
    const run = runModels(loaded.orders, variant, { calibrationEndMs, holdoutEndMs, timeZone: settings.timeZone, timeUnit: settings.timeUnit });
    customers = run.summaries.customerKeys.length;
    duration = run.summaries.holdout?.duration ?? 0;
    if (!run.fit.ok) {
      models.push({ model: name, error: run.fit.reason });
      continue;
    }
    const report = holdoutReport(run.fit.value, run.summaries, run.compressed);
    models.push({ ...report, model: MODEL_OF_VARIANT[report.model] });
  }
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
    out.push(`${m.model}: ${Object.entries(m.params).map(([name, value]) => `${name}=${value.toFixed(4)}`).join(' ')} LL=${m.logLikelihood.toFixed(2)}`);
    out.push(`  holdout purchases: actual ${m.holdout.actual}, predicted ${m.holdout.predicted.toFixed(1)} (${m.holdout.errorPercent.toFixed(1)}%)`);
    out.push(`  cumulative repeat purchases: actual ${m.cumulative.actual}, predicted ${m.cumulative.predicted.toFixed(1)} (${m.cumulative.errorPercent.toFixed(1)}%)`);
    out.push(`  per-customer correlation: ${m.correlation.toFixed(3)}`);
    out.push('  x (calibration)  customers  actual mean  predicted mean');
    for (const row of m.byFrequency) {
      out.push(`  ${row.frequency.padStart(15)}  ${String(row.customers).padStart(9)}  ${row.actualMean.toFixed(3).padStart(11)}  ${row.predictedMean.toFixed(3).padStart(14)}`);
    }
  }
  io.stdout.write(`${out.join('\n')}\n`);
  return models.some((m) => 'error' in m) ? 3 : 0;
}
