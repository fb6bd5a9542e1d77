import type { PreparedOrders } from '../../dataset/prepare.ts';
import { quantileSorted } from '../../stats/stats.ts';

/** Shop-level historic CLV: net spend per customer up to asOf, minor units. */
export interface HistoricClv {
  customers: number;
  /** Sum over customers, minor units. */
  totalNetMinor: number;
  /** Mean per customer, minor units (fractional); 0 without customers. */
  meanMinor: number;
  /** Median per customer; null without customers. */
  medianMinor: number | null;
  /** 90th percentile per customer; null without customers. */
  p90Minor: number | null;
}

/**
 * Historic CLV per customer: the net value (totals minus refunds, as attributed by `refundAttribution`) of the
 * customer's counted orders up to asOf, as Klaviyo's "historic CLV". Per-customer values are in
 * `summarizeCustomers(...)[i].netSpentMinor`; this gives the shop averages.
 */
export function computeHistoricClv(data: PreparedOrders): HistoricClv {
  const values = data.customerNetMinor;
  const customers = values.length;
  let total = 0;
  for (let c = 0; c < customers; c++) total += values[c]!;
  const sorted = values.slice().sort();
  return {
    customers,
    totalNetMinor: total,
    meanMinor: customers === 0 ? 0 : total / customers,
    medianMinor: quantileSorted(sorted, 0.5),
    p90Minor: quantileSorted(sorted, 0.9),
  };
}
