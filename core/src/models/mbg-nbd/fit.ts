import { fitBetaGeo } from '../bg-nbd/fit.ts';
import type { BetaGeoFitOptions, BgNbdFit } from '../bg-nbd/fit.ts';
import { BetaGeoVariant } from '../bg-nbd/likelihood.ts';
import type { ModelFitFailure } from '../optimize/fit-failure.ts';
import type { FrequencyRecencyRows } from '../btyd-summary/btyd-summary.ts';
import type { Result } from '../../result.ts';

/**
 * Fits MBG/NBD by maximum likelihood (Batislam, Denizel & Filiztekin 2007), same optimiser as BG/NBD.
 * On the CDNOW sample (weeks) this gives r, α, a, b = 0.525, 6.183, 0.891, 1.614 (BTYDplus).
 */
export function fitMbgNbd(rows: FrequencyRecencyRows, options: BetaGeoFitOptions = {}): Result<BgNbdFit, ModelFitFailure> {
  return fitBetaGeo(BetaGeoVariant.mbgNbd, rows, options);
}
