import { betaGeoLogLikelihood, BetaGeoVariant, prepareRows } from '../bg-nbd/likelihood.ts';
import type { BgNbdParams } from '../bg-nbd/likelihood.ts';
import type { FrequencyRecencyRows } from '../btyd-summary/btyd-summary.ts';

/** MBG/NBD parameters: same meaning as BG/NBD's (Batislam, Denizel & Filiztekin 2007, IJRM 24(3)). */
export type MbgNbdParams = BgNbdParams;

/**
 * Total log-likelihood of MBG/NBD (Batislam et al. 2007; the form of BTYDplus and lifetimes, clv-models.md §4.2):
 * ln L = lnΓ(r+x) − lnΓ(r) + r ln α + ln B(a, b+x+1) − ln B(a, b) − (r+x) ln(α+T) + log1p(a/(b+x)·((α+T)/(α+t_x))^(r+x)).
 */
export function mbgNbdLogLikelihood(params: MbgNbdParams, rows: FrequencyRecencyRows): number {
  return betaGeoLogLikelihood(BetaGeoVariant.mbgNbd, params, prepareRows(rows), null);
}
