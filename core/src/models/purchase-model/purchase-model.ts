import type { BetaGeoVariant, BgNbdParams } from '../bg-nbd/likelihood.ts';
import { betaGeoConditionalExpectedPurchases, betaGeoExpectedPurchases, betaGeoProbabilityAlive, betaGeoProbabilityNoPurchase } from '../bg-nbd/predict.ts';
import { MBG_CNBD_K } from '../mbg-cnbd-k/fit.ts';
import type { MbgCnbdParams } from '../mbg-cnbd-k/likelihood.ts';
import { mbgCnbdConditionalExpectedPurchases, mbgCnbdExpectedPurchases, mbgCnbdProbabilityAlive, mbgCnbdProbabilityNoPurchase } from '../mbg-cnbd-k/predict.ts';
import { PARETO_NBD } from '../pareto-nbd/fit.ts';
import type { ParetoNbdParams } from '../pareto-nbd/likelihood.ts';
import {
  paretoNbdConditionalExpectedPurchases,
  paretoNbdExpectedPurchases,
  paretoNbdProbabilityAlive,
  paretoNbdProbabilityNoPurchase,
} from '../pareto-nbd/predict.ts';

/**
 * A fitted purchase (transaction) model of any family: BG/NBD or MBG/NBD (`BgNbdFit`), Pareto/NBD
 * (`ParetoNbdFit`) or MBG/CNBD-k for regular buyers (`MbgCnbdFit`). CLV, holdout reports and the CLI predict through the functions below, so they need not know which.
 */
export type PurchaseModelFit =
  { model: BetaGeoVariant; params: BgNbdParams } | { model: typeof PARETO_NBD; params: ParetoNbdParams } | { model: typeof MBG_CNBD_K; params: MbgCnbdParams };

/** P(alive at T | x, t_x, T) under the fitted model; times in its unit. */
export function purchaseModelProbabilityAlive(fit: PurchaseModelFit, x: number, tx: number, T: number): number {
  if (fit.model === MBG_CNBD_K) return mbgCnbdProbabilityAlive(fit.params, x, tx, T);
  if (fit.model === PARETO_NBD) return paretoNbdProbabilityAlive(fit.params, x, tx, T);
  return betaGeoProbabilityAlive(fit.model, fit.params, x, tx, T);
}

/** E[Y(t) | x, t_x, T]: expected purchases in (T, T+t] under the fitted model; times in its unit. */
export function purchaseModelConditionalExpectedPurchases(fit: PurchaseModelFit, t: number, x: number, tx: number, T: number): number {
  if (fit.model === MBG_CNBD_K) return mbgCnbdConditionalExpectedPurchases(fit.params, t, x, tx, T);
  if (fit.model === PARETO_NBD) return paretoNbdConditionalExpectedPurchases(fit.params, t, x, tx, T);
  return betaGeoConditionalExpectedPurchases(fit.model, fit.params, t, x, tx, T);
}

/** E[X(t)]: expected repeat purchases in (0, t] after a first purchase, under the fitted model; t in its unit. */
export function purchaseModelExpectedPurchases(fit: PurchaseModelFit, t: number): number {
  if (fit.model === MBG_CNBD_K) return mbgCnbdExpectedPurchases(fit.params, t);
  if (fit.model === PARETO_NBD) return paretoNbdExpectedPurchases(fit.params, t);
  return betaGeoExpectedPurchases(fit.model, fit.params, t);
}

/** P(no purchase in (T, T+t] | x, t_x, T) under the fitted model; times in its unit. */
export function purchaseModelProbabilityNoPurchase(fit: PurchaseModelFit, t: number, x: number, tx: number, T: number): number {
  if (fit.model === MBG_CNBD_K) return mbgCnbdProbabilityNoPurchase(fit.params, t, x, tx, T);
  if (fit.model === PARETO_NBD) return paretoNbdProbabilityNoPurchase(fit.params, t, x, tx, T);
  return betaGeoProbabilityNoPurchase(fit.model, fit.params, t, x, tx, T);
}
