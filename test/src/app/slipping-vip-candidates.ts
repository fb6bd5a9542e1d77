import type { CustomerInsightV1 } from '@clvlens/core';
import type { Order } from '../shop-model/types.ts';

/**
 * Customers whose one cancelled order should make a valuable customer riskier, in the order to try them: VIPs (top 10%
 * predicted CLV, the app's VIP bar) not yet in the high tier, with repeat orders, the first over 200 days before
 * `nowMs`. Cancelling the latest order leaves the customer's last order further back, which the model scores as
 * riskier; whether that crosses into the next tier depends on the shop's own tier cuts (from its backtest), which move
 * with the day a shop is generated for: on 2026-12-04 the two low-tier VIPs with two orders of a 400-customer shop
 * went from 0.72 to 0.87 against a cut at 0.89. So the candidates left with one order, longest ago, come first.
 */
export function slippingVipCandidates(insights: readonly CustomerInsightV1[], nowMs: number): CustomerInsightV1[] {
  const clvs = insights.map((i) => i.predictedClvMinor ?? 0).sort((a, b) => a - b);
  const bar = clvs[Math.ceil(0.9 * clvs.length) - 1]!;
  return insights
    .filter(
      (i) => i.churnTier !== 'high' && !i.newCustomer && i.orderCount >= 2 && (i.predictedClvMinor ?? 0) >= bar && i.firstOrderAtMs! < nowMs - 200 * 86_400_000,
    )
    .sort((a, b) => a.orderCount - b.orderCount || a.firstOrderAtMs! - b.firstOrderAtMs!);
}

/**
 * The candidate's latest order that its insight counts, the one whose cancellation leaves the last order further back:
 * the latest open order placed when the insight's last counted order was. Not simply the latest open order, which may
 * already be out of the count (fully refunded, say): cancelling that changes nothing the tests wait for (on 2026-12-07
 * a candidate's latest order was refunded in full, and both tests waited 30 s for a count that could not drop).
 */
export function latestCountedOrder(orders: readonly Order[], candidate: CustomerInsightV1): Order {
  const counted = orders.filter(
    (o) => String(o.customerId) === candidate.customerId && o.cancelledAtMs === null && !o.test && o.processedAtMs === candidate.lastOrderAtMs,
  );
  if (counted.length === 0) throw new Error(`no open order of customer ${candidate.customerId} at its last counted order (${candidate.lastOrderAtMs})`);
  return counted.reduce((a, b) => (b.id > a.id ? b : a));
}
