import { betaGeoConditionalExpectedPurchases, betaGeoExpectedPurchases, betaGeoProbabilityAlive, betaGeoProbabilityNoPurchase } from '../bg-nbd/predict.ts';
import { BetaGeoVariant } from '../bg-nbd/likelihood.ts';
import type { MbgNbdParams } from './likelihood.ts';

/**
 * P(alive | x, t_x, T) under MBG/NBD = 1 / (1 + a/(b+x)·((α+T)/(α+t_x))^(r+x)) (Batislam et al. 2007), evaluated as
 * expit of a log-odds. Below 1 even for x = 0, and decreasing in T: one-time buyers age out.
 */
export function mbgNbdProbabilityAlive(params: MbgNbdParams, x: number, tx: number, T: number): number {
  return betaGeoProbabilityAlive(BetaGeoVariant.mbgNbd, params, x, tx, T);
}

/** MBG/NBD E[Y(t) | x, t_x, T] (clv-models.md §4.2), Euler-transformed like BG/NBD's. */
export function mbgNbdConditionalExpectedPurchases(params: MbgNbdParams, t: number, x: number, tx: number, T: number): number {
  return betaGeoConditionalExpectedPurchases(BetaGeoVariant.mbgNbd, params, t, x, tx, T);
}

/** MBG/NBD E[X(t)] = b/(a−1)·[1 − (α/(α+t))^r ₂F₁(r, b+1; a+b; t/(α+t))] (clv-models.md §4.2). */
export function mbgNbdExpectedPurchases(params: MbgNbdParams, t: number): number {
  return betaGeoExpectedPurchases(BetaGeoVariant.mbgNbd, params, t);
}

/**
 * P(no purchase in (T, T+t] | x, t_x, T) under MBG/NBD = 1 − P(alive) + P(alive)·((α+T)/(α+T+t))^(r+x) (see
 * betaGeoProbabilityNoPurchase). t, t_x, T in the params' time unit.
 */
export function mbgNbdProbabilityNoPurchase(params: MbgNbdParams, t: number, x: number, tx: number, T: number): number {
  return betaGeoProbabilityNoPurchase(BetaGeoVariant.mbgNbd, params, t, x, tx, T);
}
