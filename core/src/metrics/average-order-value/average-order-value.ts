import type { PreparedOrders } from '../../dataset/prepare.ts';
import { weeklyPoints } from '../../dataset/weekly-points.ts';
import { assertWindowDays } from '../repeat-rate/repeat-rate.ts';

/** Average order value of counted orders in a window. */
export interface AverageOrderValue {
  windowDays: number;
  /** Mean net value of counted orders (attributed or not) in the window, minor units, rounded; 0 without orders. */
  valueMinor: number;
  orders: number;
  netRevenueMinor: number;
}

/**
 * Average order value: net value (total - refunds) of counted orders placed in the `windowDays` local days ending
 * on asOf's day / their number. An order-level metric, so unattributed orders count too.
 */
export function computeAverageOrderValue(data: PreparedOrders, options: { windowDays: number }): AverageOrderValue {
  assertWindowDays(options.windowDays);
  const startDay = data.asOfDay - options.windowDays + 1;
  let orders = 0;
  let revenue = 0;
  for (let s = 0; s < data.orderDay.length; s++) {
    if (data.orderDay[s]! >= startDay) {
      orders++;
      revenue += data.orderNetMinor[s]!;
    }
  }
  for (let u = 0; u < data.unattributedDay.length; u++) {
    if (data.unattributedDay[u]! >= startDay) {
      orders++;
      revenue += data.unattributedNetMinor[u]!;
    }
  }
  return { windowDays: options.windowDays, valueMinor: orders === 0 ? 0 : Math.round(revenue / orders), orders, netRevenueMinor: revenue };
}

/** Weekly series of {@link computeAverageOrderValue} (window ending at each ISO week's end; current: asOf). */
export function computeAverageOrderValueSeries(
  data: PreparedOrders,
  options: { windowDays: number; weeks: number },
): { windowDays: number; weekStartMs: number[]; valueMinor: (number | null)[] } {
  const { windowDays, weeks } = options;
  assertWindowDays(windowDays);
  assertWindowDays(weeks, 'weeks');
  const points = weeklyPoints(data.asOfDay, weeks, data.timeZone);
  const firstDay = points.endDay[0]! - windowDays + 1;
  const span = data.asOfDay - firstDay + 1;
  const count = new Float64Array(span + 1);
  const revenue = new Float64Array(span + 1);
  const add = (day: number, net: number) => {
    const i = day - firstDay;
    if (i >= 0 && i < span) {
      count[i + 1]!++;
      revenue[i + 1]! += net;
    }
  };
  for (let s = 0; s < data.orderDay.length; s++) add(data.orderDay[s]!, data.orderNetMinor[s]!);
  for (let u = 0; u < data.unattributedDay.length; u++) add(data.unattributedDay[u]!, data.unattributedNetMinor[u]!);
  for (let i = 0; i < span; i++) {
    count[i + 1]! += count[i]!;
    revenue[i + 1]! += revenue[i]!;
  }
  const valueMinor = Array.from(points.endDay, (endDay) => {
    const end = endDay - firstDay + 1;
    const orders = count[end]! - count[end - windowDays]!;
    return orders === 0 ? null : Math.round((revenue[end]! - revenue[end - windowDays]!) / orders);
  });
  return { windowDays, weekStartMs: points.weekStartMs, valueMinor };
}
