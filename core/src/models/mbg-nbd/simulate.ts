import { simulateBetaGeo } from '../bg-nbd/simulate.ts';
import type { SimulatedCustomers, UniformRng } from '../bg-nbd/simulate.ts';
import { BetaGeoVariant } from '../bg-nbd/likelihood.ts';
import type { MbgNbdParams } from './likelihood.ts';

/** Draws customers from MBG/NBD: like BG/NBD, but a customer may also drop out right after the first purchase. */
export function simulateMbgNbd(
  params: MbgNbdParams,
  ages: ArrayLike<number>,
  rng: UniformRng,
  options: { keepPurchaseTimes?: boolean } = {},
): SimulatedCustomers {
  return simulateBetaGeo(BetaGeoVariant.mbgNbd, params, ages, rng, options);
}
