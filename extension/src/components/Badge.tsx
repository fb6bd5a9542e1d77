import type { CachedCustomer } from '../db/schema.ts';
import type { BadgeSettings } from '../messages/protocol.ts';
import {
  CHURN_TIER_LABEL,
  describeChurnChance,
  formatChance,
  formatDate,
  formatDays,
  formatMoney,
  formatMoneyCompact,
  formatSegment,
} from '../utils/format.ts';

/** What a badge or card currently knows about its customer. */
export type CustomerView =
  | { state: 'loading' }
  | { state: 'not-connected' }
  | { state: 'missing' }
  /** An order without a customer (guest checkout). */
  | { state: 'guest' }
  | { state: 'found'; customer: CachedCustomer };

const TIER_SHORT = { low: 'Low', medium: 'Med', high: 'High' } as const;

/**
 * The risk in a few words: "High risk, 82% chance of no order in the next 90 days", or for a customer too new to judge
 * "New customer, one order so far: too early to expect a second".
 */
export function describeRisk(c: CachedCustomer): string {
  if (c.newCustomer) return 'New customer, one order so far: too early to expect a second';
  return `${CHURN_TIER_LABEL[c.churnTier]}, ${describeChurnChance(c.churnProbability, c.churnHorizonDays)}`;
}

/** What the badge's tier part reads: "High risk 82%", or "New" for a customer too new to judge. */
export function badgeRiskText(c: CachedCustomer): string {
  if (c.newCustomer) return 'New';
  // A record from an app before the horizon: its probability meant something else, so only the tier shows.
  if (c.churnHorizonDays === null || c.churnHorizonDays === undefined) return TIER_SHORT[c.churnTier];
  return `${CHURN_TIER_LABEL[c.churnTier]} ${formatChance(c.churnProbability)}`;
}

/** The full explanation (tooltip and screen-reader description), in plain words. */
export function describeCustomer(c: CachedCustomer): string {
  const parts = [
    (c.newCustomer ? `${describeRisk(c)} (${describeChurnChance(c.churnProbability, c.churnHorizonDays)})` : describeRisk(c)) +
      (c.churnReasons.length > 0 ? `: ${c.churnReasons.join('; ')}.` : '.'),
    `Historic CLV ${formatMoney(c.historicClvMinor, c.currency)}` +
      (c.predictedClvMinor !== null ? `, predicted next 12 months ${formatMoney(c.predictedClvMinor, c.currency)}.` : '.'),
    `${c.orderCount} ${c.orderCount === 1 ? 'order' : 'orders'}, average ${formatMoney(c.averageOrderValueMinor, c.currency)}.`,
  ];
  if (c.daysSinceLastOrder !== null) parts.push(`Last order ${formatDays(c.daysSinceLastOrder)} ago.`);
  if (c.expectedNextOrderAtMs !== null) {
    parts.push(`Next order expected ${formatDate(c.expectedNextOrderAtMs)}${c.overdue ? ' (overdue)' : ''}.`);
  }
  if (c.isRepeat) parts.push('Repeat customer.');
  parts.push(`Segment: ${formatSegment(c.rfmSegment)}.`);
  if (c.confidence === 'low') parts.push('Low confidence: the shop has little data yet.');
  return parts.join(' ');
}

export interface BadgeProps {
  view: CustomerView;
  fields: BadgeSettings['fields'];
}

/**
 * The compact badge beside a customer link: tier and churn probability ("High risk 82%"; "New" for a customer too new
 * to judge; a colour dot plus words, so colour is never the only signal),
 * historic CLV, order count, and marks for overdue and repeat. Focusable; the explanation shows on hover or focus and
 * is the accessible description.
 */
export function Badge({ view, fields }: BadgeProps) {
  if (view.state !== 'found') {
    const text =
      view.state === 'loading'
        ? 'CLV Lens: loading'
        : view.state === 'not-connected'
          ? 'CLV Lens: this shop is not connected'
          : view.state === 'guest'
            ? 'CLV Lens: guest checkout, no customer to show'
            : 'CLV Lens: no data for this customer yet';
    return (
      <span class="badge placeholder" data-state={view.state} tabIndex={0} role="note" aria-label={text} title={text}>
        {view.state === 'loading' ? '…' : view.state === 'guest' ? 'Guest' : 'CLV –'}
      </span>
    );
  }
  const c = view.customer;
  const description = describeCustomer(c);
  const label =
    `CLV Lens: ${describeRisk(c)}, historic CLV ${formatMoney(c.historicClvMinor, c.currency)}, ` +
    `${c.orderCount} ${c.orderCount === 1 ? 'order' : 'orders'}${c.overdue ? ', overdue' : ''}${c.isRepeat ? ', repeat customer' : ''}`;
  return (
    <span
      class={`badge tier-${c.newCustomer ? 'new' : c.churnTier}`}
      data-state="found"
      data-tier={c.churnTier}
      data-new={c.newCustomer ? 'true' : undefined}
      tabIndex={0}
      role="note"
      aria-label={label}
      aria-describedby="clvlens-tip"
    >
      {fields.churnTier && (
        <span class="tier">
          <span class="dot" aria-hidden="true" />
          {badgeRiskText(c)}
        </span>
      )}
      {fields.historicClv && <span class="clv">{formatMoneyCompact(c.historicClvMinor, c.currency)}</span>}
      {fields.orderCount && <span class="orders">{c.orderCount}×</span>}
      {fields.overdue && c.overdue && (
        <span class="mark overdue" aria-hidden="true">
          overdue
        </span>
      )}
      {fields.repeat && c.isRepeat && (
        <span class="mark repeat" aria-hidden="true">
          ↻ repeat
        </span>
      )}
      <span class="tip" id="clvlens-tip" role="tooltip">
        {description}
      </span>
    </span>
  );
}
