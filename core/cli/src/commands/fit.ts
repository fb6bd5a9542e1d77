import { MBG_CNBD_K, PARETO_NBD } from '@clvlens/core/models';
import type { CliIo } from '../io.ts';
import { createTranslator } from '@clvlens/core/i18n';
import { endMs, helpText, localeOfArgs, parseFileCommand, usageErrorFor } from './command-line.ts';
import { reasonText, COMMON_OPTIONS, loadCountedOrders, minorPerMajor, parseCommon, parseModelOption, reportFitFailure, runModels } from './model-common.ts';

/** `clvlens fit --help` in English (the usage appended to usage errors); `--help` prints it in the chosen language. */
export const FIT_USAGE = helpText('fit', 'en');

const OPTIONS = { ...COMMON_OPTIONS, model: { type: 'string' } } as const;

/**
 * `clvlens fit <file> --model bgnbd|mbgnbd|pnbd|mbgcnbd --time-unit week|day --calibration-end YYYY-MM-DD --json` prints
 * `{"model","params":{"r","alpha","a","b"},"logLikelihood","customers","gammaGamma":{"p","q","v","customers"}}`
 * (params are `{"r","alpha","s","beta"}` for pnbd and `{"k","r","alpha","a","b"}` for mbgcnbd, k the regularity the
 * fit chose; gammaGamma is null when it cannot be fitted). Exit 3 when the purchase model cannot be fitted.
 */
export async function runFit(args: readonly string[], io: CliIo): Promise<number> {
  const usageError = usageErrorFor('fit', localeOfArgs(args, io), (locale) => helpText('fit', locale));
  const command = parseFileCommand(args, OPTIONS, (locale) => helpText('fit', locale), usageError, io);
  if (command === null) return 0;
  const { values, file } = command;
  const { modelName, variant } = parseModelOption(values.model, usageError);
  const settings = parseCommon(values, usageError, io);
  const t = createTranslator(settings.locale);

  const loaded = await loadCountedOrders(file, io, settings);
  const calibrationEndMs = endMs(settings.calibrationEnd, loaded.orders, settings.timeZone);
  const run = runModels(loaded.orders, variant, { calibrationEndMs, timeZone: settings.timeZone, timeUnit: settings.timeUnit });
  if (!run.fit.ok) return reportFitFailure(io, 'fit', modelName, run.fit.reason, settings.locale);
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
  if (!run.spend.ok) io.stderr.write(`clvlens: ${t.t('cli.fit.gammaGammaFailed', { command: 'fit', reason: reasonText(t, run.spend.reason) })}\n`);
  const doc = { model: modelName, params, logLikelihood, customers, gammaGamma };
  if (settings.json) {
    io.stdout.write(`${JSON.stringify(doc)}\n`);
    return 0;
  }
  // Parameter names are the papers' symbols in every language; the numbers are written for the locale.
  const lines = [
    t.t('cli.fit.title', {
      model: modelName,
      customers,
      format: loaded.format,
      unit: t.t(`cli.unit.${settings.timeUnit}`),
      date: new Date(calibrationEndMs).toISOString().slice(0, 10),
      timeZone: settings.timeZone,
    }),
    `  ${Object.entries(params)
      .map(([name, value]) => `${name} = ${name === 'k' ? t.number(value) : t.number(value, 4)}`)
      .join('  ')}`,
    `  ${t.t('cli.fit.logLikelihood', { value: t.number(logLikelihood, 3) })}`,
    gammaGamma === null
      ? `  ${t.t('cli.fit.gammaGammaNone')}`
      : t.t('cli.fit.gammaGamma', {
          customers: gammaGamma.customers,
          p: t.number(gammaGamma.p, 4),
          q: t.number(gammaGamma.q, 4),
          v: t.number(gammaGamma.v, 4),
          currency: loaded.currency,
        }),
  ];
  io.stdout.write(`${lines.join('\n')}\n`);
  return 0;
}
