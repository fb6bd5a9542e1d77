import { MBG_CNBD_K, PARETO_NBD } from '@clvlens/core';
import type { CliIo } from '../io.ts';
import { endMs, parseFileCommand, usageErrorFor } from './command-line.ts';
import { COMMON_OPTIONS, COMMON_USAGE, loadCountedOrders, minorPerMajor, parseCommon, parseModelOption, reportFitFailure, runModels } from './model-common.ts';

export const FIT_USAGE = `Usage: clvlens fit <file> [options]

Fits a purchase model (BG/NBD, MBG/NBD, Pareto/NBD, or MBG/CNBD-k for regular buyers) and the Gamma-Gamma spend
model on the calibration period and prints the parameters. α (and Pareto/NBD's β) are in the time unit; MBG/CNBD-k's k
is the regularity it found (1: none, the same as MBG/NBD); Gamma-Gamma v (γ) is in major currency units (dollars for CDNOW).

Options:
  --model NAME               purchase model: bgnbd (default), mbgnbd, pnbd or mbgcnbd
${COMMON_USAGE}`;

const OPTIONS = { ...COMMON_OPTIONS, model: { type: 'string' } } as const;

const usageError = usageErrorFor('fit', FIT_USAGE);

/**
 * `clvlens fit <file> --model bgnbd|mbgnbd|pnbd|mbgcnbd --time-unit week|day --calibration-end YYYY-MM-DD --json` prints
 * `{"model","params":{"r","alpha","a","b"},"logLikelihood","customers","gammaGamma":{"p","q","v","customers"}}`
 * (params are `{"r","alpha","s","beta"}` for pnbd and `{"k","r","alpha","a","b"}` for mbgcnbd, k the regularity the
 * fit chose; gammaGamma is null when it cannot be fitted). Exit 3 when the purchase model cannot be fitted.
 */
export async function runFit(args: readonly string[], io: CliIo): Promise<number> {
  const command = parseFileCommand(args, OPTIONS, FIT_USAGE, usageError, io);
  if (command === null) return 0;
  const { values, file } = command;
  const { modelName, variant } = parseModelOption(values.model, usageError);
  const settings = parseCommon(values, usageError, io);

  const loaded = await loadCountedOrders(file, io, settings);
  const calibrationEndMs = endMs(settings.calibrationEnd, loaded.orders, settings.timeZone);
  const run = runModels(loaded.orders, variant, { calibrationEndMs, timeZone: settings.timeZone, timeUnit: settings.timeUnit });
  if (!run.fit.ok) return reportFitFailure(io, 'fit', modelName, run.fit.reason);
  const { logLikelihood, customers } = run.fit.value;
  const fitted = run.fit.value;
  const params =
    fitted.model === PARETO_NBD
      ? { r: fitted.params.r, alpha: fitted.params.alpha, s: fitted.params.s, beta: fitted.params.beta }
      : fitted.model === MBG_CNBD_K
        ? { k: fitted.params.k, r: fitted.params.r, alpha: fitted.params.alpha, a: fitted.params.a, b: fitted.params.b }
        : { r: fitted.params.r, alpha: fitted.params.alpha, a: fitted.params.a, b: fitted.params.b };
  const perMajor = minorPerMajor(loaded.currency);
  const gammaGamma = run.spend.ok
    ? { p: run.spend.value.params.p, q: run.spend.value.params.q, v: run.spend.value.params.gamma / perMajor, customers: run.spend.value.customers }
    : null;
  if (!run.spend.ok) io.stderr.write(`clvlens: fit: Gamma-Gamma could not be fitted (${run.spend.reason}).\n`);
  const doc = { model: modelName, params, logLikelihood, customers, gammaGamma };
  if (settings.json) {
    io.stdout.write(`${JSON.stringify(doc)}\n`);
    return 0;
  }
  const lines = [
    `${modelName} fitted on ${customers} customers (${loaded.format}, time unit ${settings.timeUnit}, calibration to ${new Date(calibrationEndMs).toISOString().slice(0, 10)} ${settings.timeZone})`,
    `  ${Object.entries(params)
      .map(([name, value]) => `${name} = ${name === 'k' ? value : value.toFixed(4)}`)
      .join('  ')}`,
    `  log-likelihood = ${logLikelihood.toFixed(3)}`,
    gammaGamma === null
      ? '  Gamma-Gamma: not fitted'
      : `Gamma-Gamma on ${gammaGamma.customers} repeat customers: p = ${gammaGamma.p.toFixed(4)}  q = ${gammaGamma.q.toFixed(4)}  v = ${gammaGamma.v.toFixed(4)} ${loaded.currency}`,
  ];
  io.stdout.write(`${lines.join('\n')}\n`);
  return 0;
}
