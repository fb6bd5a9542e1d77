import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { predictCustomers } from '@clvlens/core';
import { CliError, CliErrorCode } from '../errors.ts';
import type { CliIo } from '../io.ts';
import { describeIoError } from '../readers/csv-rows.ts';
import { endMs, parseFileCommand, usageErrorFor } from './command-line.ts';
import { COMMON_OPTIONS, COMMON_USAGE, loadCountedOrders, minorPerMajor, parseCommon, parseModelOption, reportFitFailure, runModels } from './model-common.ts';

export const PREDICT_USAGE = `Usage: clvlens predict <file> --horizon <t> [options]

Fits the models on the calibration period and writes one CSV row per customer:
customer_id,frequency,recency,T,p_alive,expected_purchases,expected_avg_value,clv
(recency and T in the time unit; expected_purchases over the next --horizon time units; expected_avg_value and clv
in major currency units; clv is the discounted CLV over --clv-months times --margin).

Options:
  --model bgnbd|mbgnbd|pnbd  purchase model (default bgnbd)
  --horizon T                prediction horizon in time units (required)
  --out FILE                 write the CSV there (default: standard output)
  --clv-months N             CLV horizon in months (default 12)
  --discount-rate R          annual discount rate (default 0.1268 = 1% a month)
  --margin M                 gross margin fraction applied to CLV, 0..1 (default 1: revenue)
${COMMON_USAGE}`;

const OPTIONS = {
  ...COMMON_OPTIONS,
  model: { type: 'string' },
  horizon: { type: 'string' },
  out: { type: 'string' },
  'clv-months': { type: 'string' },
  'discount-rate': { type: 'string' },
  margin: { type: 'string' },
} as const;

const usageError = usageErrorFor('predict', PREDICT_USAGE);

function csvField(text: string): string {
  return /[",\n\r]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

function num(value: number, digits: number): string {
  return Number.isFinite(value) ? String(Number(value.toFixed(digits))) : '';
}

/** `clvlens predict <file> --horizon <t> --out predictions.csv`: per-customer P(alive), expected purchases and CLV. */
export async function runPredict(args: readonly string[], io: CliIo): Promise<number> {
  const command = parseFileCommand(args, OPTIONS, PREDICT_USAGE, usageError, io);
  if (command === null) return 0;
  const { values, file } = command;
  const { modelName, variant } = parseModelOption(values.model, usageError);
  const settings = parseCommon(values, usageError);
  if (values.horizon === undefined) throw usageError('--horizon is required (time units, e.g. 39 for 39 weeks).');
  const horizon = Number(values.horizon);
  if (!(Number.isFinite(horizon) && horizon > 0)) throw usageError(`--horizon must be a positive number of time units, got ${JSON.stringify(values.horizon)}.`);
  const clvMonths = values['clv-months'] === undefined ? 12 : Number(values['clv-months']);
  if (!(Number.isInteger(clvMonths) && clvMonths >= 0)) throw usageError(`--clv-months must be a whole number >= 0, got ${JSON.stringify(values['clv-months'])}.`);
  const discount = values['discount-rate'] === undefined ? undefined : Number(values['discount-rate']);
  if (discount !== undefined && !(discount >= 0 && Number.isFinite(discount))) throw usageError(`--discount-rate must be a number >= 0, got ${JSON.stringify(values['discount-rate'])}.`);
  const margin = values.margin === undefined ? 1 : Number(values.margin);
  if (!(margin >= 0 && margin <= 1)) throw usageError(`--margin is a fraction from 0 to 1, got ${JSON.stringify(values.margin)}.`);

  const loaded = await loadCountedOrders(file, io, settings);
  const calibrationEndMs = endMs(settings.calibrationEnd, loaded.orders, settings.timeZone);
  const run = runModels(loaded.orders, variant, { calibrationEndMs, timeZone: settings.timeZone, timeUnit: settings.timeUnit });
  if (!run.fit.ok) return reportFitFailure(io, 'predict', modelName, run.fit.reason);
  if (!run.spend.ok) io.stderr.write(`clvlens: predict: Gamma-Gamma could not be fitted (${run.spend.reason}); expected_avg_value and clv are left empty.\n`);
  const predictions = predictCustomers(run.fit.value, run.spend.ok ? run.spend.value.params : null, run.summaries, run.compressed, horizon, {
    horizonMonths: clvMonths,
    margin,
    ...(discount === undefined ? {} : { annualDiscountRate: discount }),
  });
  const perMajor = minorPerMajor(loaded.currency);
  const s = run.summaries;
  const lines = ['customer_id,frequency,recency,T,p_alive,expected_purchases,expected_avg_value,clv'];
  for (let i = 0; i < s.customerKeys.length; i++) {
    lines.push(
      [
        csvField(s.customerKeys[i]!),
        String(s.frequency[i]),
        num(s.recency[i]!, 6),
        num(s.age[i]!, 6),
        num(predictions.pAlive[i]!, 6),
        num(predictions.expectedPurchases[i]!, 6),
        num(predictions.expectedAverageValueMinor[i]! / perMajor, 4),
        num(predictions.clvMinor[i]! / perMajor, 4),
      ].join(','),
    );
  }
  const csv = `${lines.join('\n')}\n`;
  if (values.out === undefined) {
    io.stdout.write(csv);
    return 0;
  }
  try {
    await writeFile(resolve(io.cwd, values.out), csv);
  } catch (cause) {
    throw new CliError(CliErrorCode.outputUnwritable, `cannot write ${values.out}: ${describeIoError(cause)}.`, { cause });
  }
  io.stderr.write(`clvlens: wrote ${s.customerKeys.length} customers to ${values.out}\n`);
  return 0;
}
