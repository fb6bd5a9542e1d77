import type { PreparedOrders } from '../../dataset/prepare.ts';
import { measurePeriod, type DayPeriod } from '../period-churn/period-churn.ts';

/** Product retention rate over a period. */
export interface ProductRetention {
  periodStartMs: number;
  periodEndMs: number;
  inactivityDays: number;
  /** (CE - CN) / CS as a fraction (x 100 for the textbook percentage); null when CS = 0. */
  value: number | null;
  /** CE: customers active at the period end. */
  activeAtEnd: number;
  /** CN: new customers acquired in the period. */
  newInPeriod: number;
  /** CS: customers active at the period start. */
  activeAtStart: number;
}

/**
 * Product retention rate = (CE - CN) / CS, with CE = customers active at the end, CN = new customers acquired in the
 * period, CS = customers active at the start ("active": last counted order within `inactivityDays` days). Unlike
 * the other rates it can leave [0, 1]: above 1 when lapsed customers come back, below 0 when many new customers of
 * a long period have already lapsed. It is reported as computed, not clamped.
 */
export function computeProductRetention(data: PreparedOrders, options: { period: DayPeriod; inactivityDays: number }): ProductRetention {
  const m = measurePeriod(data, options.period, options.inactivityDays);
  return {
    periodStartMs: m.periodStartMs,
    periodEndMs: m.periodEndMs,
    inactivityDays: m.inactivityDays,
    value: m.activeAtStart === 0 ? null : (m.activeAtEnd - m.newInPeriod) / m.activeAtStart,
    activeAtEnd: m.activeAtEnd,
    newInPeriod: m.newInPeriod,
    activeAtStart: m.activeAtStart,
  };
}
