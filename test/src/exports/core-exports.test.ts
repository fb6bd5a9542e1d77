import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { API } from 'typescript/unstable/sync';
import * as core from '@clvlens/core';
import * as models from '@clvlens/core/models';
import * as basics from '@clvlens/core/basics';
import * as report from '@clvlens/core/report';
import * as simulate from '@clvlens/core/simulate';

/**
 * Core's public surface as a tested contract (as preact/signals' `exports.test.tsx`): every name each entry exports,
 * values from the module itself and types from the TypeScript checker. Adding or removing a name fails here until the
 * list is updated in review (`pnpm exec vitest run test/src/exports -u` rewrites the inline snapshots).
 */

const root = fileURLToPath(new URL('../../../', import.meta.url));

/** Every name (value or type) the entry file exports, as the TypeScript 7 checker resolves them. */
function exportedNames(entries: readonly string[]): Map<string, string[]> {
  const api = new API({ cwd: root });
  try {
    const project = api.updateSnapshot({ openProject: 'core/tsconfig.json' }).getProjects()[0];
    if (!project) throw new Error('TypeScript found no project for core/tsconfig.json');
    const out = new Map<string, string[]>();
    for (const entry of entries) {
      const file = project.program.getSourceFile(`${root}${entry}`);
      if (!file) throw new Error(`${entry} is not in core/tsconfig.json`);
      const module = project.checker.getSymbolAtLocation(file);
      if (!module) throw new Error(`${entry} is not a module`);
      out.set(
        entry,
        project.checker
          .getExportsOfModule(module)
          .map((s) => s.name)
          .sort(),
      );
    }
    return out;
  } finally {
    api.close();
  }
}

const names = exportedNames(['core/src/index.ts', 'core/src/models.ts', 'core/src/simulate.ts']);
const typeOnly = (entry: string, module: object): string[] => names.get(entry)!.filter((n) => !(n in module));

describe('@clvlens/core', () => {
  it('exports these values', () => {
    expect(Object.keys(core).sort()).toMatchInlineSnapshot(`
      [
        "CHURN_ALERT_DEFAULTS",
        "CHURN_HORIZONS_DAYS",
        "ChurnScoreModel",
        "CoreError",
        "CoreErrorCode",
        "CurrencyMismatchError",
        "DAY_MS",
        "DEFAULT_CHURN_HORIZON_DAYS",
        "RFM_SEGMENTS",
        "assertOrderRecord",
        "assertTimeZone",
        "assessChurnRisk",
        "buildCustomerInsights",
        "civilFromDayNumber",
        "computeCsat",
        "computeLtvCac",
        "computeNps",
        "computeShopReport",
        "computeShopReportMainMetrics",
        "computeShopReportSideMetrics",
        "concatPreparedOrders",
        "currencyExponent",
        "customerKeyOf",
        "dayNumberFromCivil",
        "endOfLocalDateMs",
        "endOfLocalDayMs",
        "fitChurnModels",
        "formatLocalDate",
        "formatMinorUnits",
        "isCountedOrder",
        "isValidTimeZone",
        "localDayNumber",
        "localDayStartMs",
        "orderNetMinor",
        "parseLocalDate",
        "parseMinorUnits",
        "prepareShopReport",
        "rfmCutPointsOf",
        "scoreChurnRisk",
        "shopReportFromParts",
        "summarizeCustomers",
        "timeZoneOffsetMs",
        "toCountedOrders",
        "valueKeyOf",
      ]
    `);
  });

  it('exports these types', () => {
    expect(typeOnly('core/src/index.ts', core)).toMatchInlineSnapshot(`
      [
        "ApiErrorCodeV1",
        "ApiErrorV1",
        "ChurnBacktestSummaryV1",
        "ChurnModelFitOptions",
        "ChurnModels",
        "ChurnRiskOptions",
        "ChurnTierV1",
        "CohortMatrix",
        "CountedOrder",
        "Csat",
        "CurrencyCode",
        "CustomerChurnRisk",
        "CustomerInsight",
        "CustomerInsightModels",
        "CustomerInsightOptions",
        "CustomerInsightV1",
        "CustomerNamesV1",
        "CustomersFeedV1",
        "Money",
        "MonthlySpend",
        "NotCountedReasonV1",
        "Nps",
        "OrderRecord",
        "PairRequestV1",
        "PairResponseV1",
        "PreparedOrders",
        "Result",
        "RfmCutPoints",
        "RfmSegmentV1",
        "ScorecardRow",
        "ShopReport",
        "ShopReportMainMetrics",
        "ShopReportOptions",
        "ShopReportSideMetrics",
        "ShopSettingsV1",
        "ShopSummaryV1",
        "TierChangeReasonV1",
        "VipSlippingSummaryV1",
        "VipSlippingV1",
      ]
    `);
  });

  it('exports fewer than 100 names in all', () => {
    expect(names.get('core/src/index.ts')!.length).toBeLessThan(100);
  });
});

describe('@clvlens/core/models', () => {
  it('exports these values', () => {
    expect(Object.keys(models).sort()).toMatchInlineSnapshot(`
      [
        "BetaGeoVariant",
        "CLASSIFIER_FEATURES",
        "ChurnFallbackReason",
        "ChurnMethod",
        "ChurnPredictionFailure",
        "ClassifierFitFailure",
        "DAYS_PER_TIME_UNIT",
        "DEFAULT_ANNUAL_DISCOUNT_RATE",
        "DEFAULT_TYPICAL_GAP_DAYS",
        "EvaluationFailure",
        "GAMMA_GAMMA_PENALIZER_STEPS",
        "LOG_LOSS_EPSILON",
        "MBG_CNBD_K",
        "MBG_CNBD_MAX_K",
        "MIN_REPEAT_CUSTOMERS_FOR_MODEL",
        "ModelFitFailure",
        "PARETO_NBD",
        "PARETO_NBD_PENALIZER_STEPS",
        "PENALIZER_STEPS",
        "PLATT_SCORE_EPSILON",
        "TimeUnit",
        "UNITS_PER_MONTH",
        "allPurchaseDaySpendRows",
        "applyIsotonic",
        "applyPlatt",
        "areaUnderRoc",
        "betaGeoConditionalExpectedPurchases",
        "betaGeoExpectedPurchases",
        "betaGeoLogLikelihood",
        "betaGeoProbabilityAlive",
        "betaGeoProbabilityNoPurchase",
        "bgNbdConditionalExpectedPurchases",
        "bgNbdExpectedPurchases",
        "bgNbdLogLikelihood",
        "bgNbdProbabilityAlive",
        "bgNbdProbabilityNoPurchase",
        "bgNbdPurchaseProbability",
        "brierScore",
        "calibrationTable",
        "compressSummaries",
        "computeLogIntervalSums",
        "discountedClv",
        "discountedExpectedPurchases",
        "expectedOrderValueAllDays",
        "fitBetaGeo",
        "fitBgNbd",
        "fitGammaGamma",
        "fitGammaGammaAllDays",
        "fitIsotonic",
        "fitLogisticRegression",
        "fitMbgCnbdK",
        "fitMbgNbd",
        "fitParetoNbd",
        "fitPlatt",
        "gammaGammaExpectedAverageValue",
        "gammaGammaLogLikelihood",
        "gammaGammaPopulationMean",
        "holdoutReport",
        "logLoss",
        "logisticLinearPredictor",
        "mbgCnbdConditionalExpectedPurchases",
        "mbgCnbdCustomerLogLikelihood",
        "mbgCnbdExpectedPurchases",
        "mbgCnbdLogLikelihood",
        "mbgCnbdProbabilityAlive",
        "mbgCnbdProbabilityNoPurchase",
        "mbgNbdConditionalExpectedPurchases",
        "mbgNbdExpectedPurchases",
        "mbgNbdLogLikelihood",
        "mbgNbdProbabilityAlive",
        "mbgNbdProbabilityNoPurchase",
        "meanAbsoluteError",
        "minimizeBfgs",
        "paretoNbdConditionalExpectedPurchases",
        "paretoNbdExpectedPurchases",
        "paretoNbdLogLikelihood",
        "paretoNbdProbabilityAlive",
        "paretoNbdProbabilityNoPurchase",
        "predictCustomers",
        "predictLogistic",
        "prepareRows",
        "purchaseModelConditionalExpectedPurchases",
        "purchaseModelProbabilityNoPurchase",
        "sigmoid",
        "summarizeOrders",
        "topDecileCapture",
        "transactionLikelyOrders",
        "transactionModelFit",
      ]
    `);
  });

  it('exports these types', () => {
    expect(typeOnly('core/src/models.ts', models)).toMatchInlineSnapshot(`
      [
        "BetaGeoFitOptions",
        "BgNbdFit",
        "BgNbdParams",
        "CalibrationBin",
        "CalibrationTable",
        "CandidateBacktest",
        "ChurnBacktest",
        "ChurnProbabilityModel",
        "ChurnRiskAssessment",
        "ClvOptions",
        "CompressedSummaries",
        "CountedOrders",
        "CustomerPredictions",
        "CustomerSummaries",
        "FeatureColumns",
        "FrequencyRecencyRows",
        "GammaGammaFit",
        "GammaGammaFitOptions",
        "GammaGammaParams",
        "HoldoutCounts",
        "HoldoutFrequencyRow",
        "HoldoutReport",
        "IsotonicFitOptions",
        "IsotonicModel",
        "LogisticFitOptions",
        "LogisticModel",
        "MbgCnbdCandidate",
        "MbgCnbdFit",
        "MbgCnbdFitOptions",
        "MbgCnbdParams",
        "MbgCnbdRows",
        "MbgNbdParams",
        "MinimizeOptions",
        "MinimizeOutcome",
        "ObjectiveWithGradient",
        "ParetoNbdFit",
        "ParetoNbdFitOptions",
        "ParetoNbdParams",
        "PlattFitOptions",
        "PlattModel",
        "PreparedRows",
        "PurchaseDaySpend",
        "PurchaseModelFit",
        "SpendBacktest",
        "SpendRows",
        "SummaryOptions",
      ]
    `);
  });

  it('shares no name with the main entry', () => {
    expect(names.get('core/src/models.ts')!.filter((n) => names.get('core/src/index.ts')!.includes(n))).toEqual([]);
  });
});

describe('@clvlens/core/simulate', () => {
  it('exports these values', () => {
    expect(Object.keys(simulate).sort()).toMatchInlineSnapshot(`
      [
        "createSeededRng",
        "simulateBetaGeo",
        "simulateBgNbd",
        "simulateGammaGamma",
        "simulateMbgCnbd",
        "simulateMbgNbd",
        "simulateParetoNbd",
      ]
    `);
  });

  it('exports these types', () => {
    expect(typeOnly('core/src/simulate.ts', simulate)).toMatchInlineSnapshot(`
      [
        "SimulatedCustomers",
        "SimulatedMbgCnbdCustomers",
        "UniformRng",
      ]
    `);
  });

  it('is the only entry that loads the random-number libraries', () => {
    // A fresh process, since this one has loaded the simulators already (the tests of the models use them).
    const loaded = (entry: string) => {
      const script = `await import(${JSON.stringify(entry)});
        const cache = (await import('node:module')).createRequire(import.meta.url).cache;
        console.log(JSON.stringify(Object.keys(cache).filter((path) => path.includes('@stdlib')).map((path) => path.replace(/.*node_modules\\/@stdlib\\/([^/]+)\\/.*/, '$1'))));`;
      const run = spawnSync(process.execPath, ['--input-type=module', '-e', script], { cwd: root + 'core', encoding: 'utf8' });
      expect(run.stderr).toBe('');
      return new Set(JSON.parse(run.stdout) as string[]);
    };
    const randomIn = (packages: Set<string>) => [...packages].filter((name) => name.startsWith('random-')).sort();
    for (const entry of ['@clvlens/core', '@clvlens/core/models', '@clvlens/core/report', '@clvlens/core/basics']) expect(randomIn(loaded(entry))).toEqual([]);
    expect(randomIn(loaded('@clvlens/core/simulate'))).toEqual(expect.arrayContaining(['random-base-beta', 'random-base-gamma', 'random-base-mt19937']));
  });

  it('shares no name with the main entry or the models', () => {
    const own = names.get('core/src/simulate.ts')!;
    expect(own.filter((n) => names.get('core/src/index.ts')!.includes(n) || names.get('core/src/models.ts')!.includes(n))).toEqual([]);
  });
});

describe('@clvlens/core/basics', () => {
  it('exports these values, each also exported by the main entry (as the same function)', () => {
    expect(Object.keys(basics).sort()).toMatchInlineSnapshot(`
      [
        "DAY_MS",
        "currencyExponent",
        "dayNumberFromCivil",
        "endOfLocalDateMs",
        "endOfLocalDayMs",
        "formatLocalDate",
        "isValidTimeZone",
        "localDayStartMs",
        "parseLocalDate",
        "parseMinorUnits",
        "timeZoneOffsetMs",
      ]
    `);
    for (const [name, value] of Object.entries(basics)) expect(core[name as keyof typeof core]).toBe(value);
  });
});

describe('@clvlens/core/report', () => {
  it('exports these values, each also exported by the main entry (as the same value)', () => {
    expect(Object.keys(report).sort()).toMatchInlineSnapshot(`
      [
        "CHURN_ALERT_DEFAULTS",
        "computeShopReport",
        "computeShopReportMainMetrics",
        "computeShopReportSideMetrics",
        "prepareShopReport",
        "shopReportFromParts",
      ]
    `);
    for (const [name, value] of Object.entries(report)) expect(core[name as keyof typeof core]).toBe(value);
  });
});
