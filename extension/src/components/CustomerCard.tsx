import {
  CHURN_TIER_LABEL,
  describeChurnChance,
  formatDate,
  formatDays,
  formatMoney,
  formatRelativeDays,
  formatSegment,
} from '../utils/format.ts';
import type { CustomerView } from './Badge.tsx';
import { Sparkline } from './Sparkline.tsx';

export interface CustomerCardProps {
  view: CustomerView;
  /** Wall clock, UTC epoch ms; used only when the record does not say which moment its numbers describe. */
  nowMs: number;
}

function Stat({ label, value }: { label: string; value: string }) {
  return (
    <div class="stat">
      <dt>{label}</dt>
      <dd>{value}</dd>
    </div>
  );
}

/** The card near the header of a customer or order page: value, risk and its reasons, cadence, segment, history. */
export function CustomerCard({ view, nowMs }: CustomerCardProps) {
  if (view.state !== 'found') {
    const text =
      view.state === 'loading'
        ? 'Loading…'
        : view.state === 'not-connected'
          ? 'This shop is not connected to CLV Lens. Connect it from the extension options.'
          : view.state === 'guest'
            ? 'Guest checkout: this order has no customer, so there is no customer value to show.'
            : 'No CLV Lens data for this customer yet (new customer, or not synced).';
    return (
      <section class="card placeholder" data-state={view.state} aria-label="CLV Lens customer insight">
        <h2>CLV Lens</h2>
        <p>{text}</p>
      </section>
    );
  }
  const c = view.customer;
  // "Expected in N days" counts from the moment the app's numbers describe (its asOf), like daysSinceLastOrder does.
  const asOfMs = c.lastOrderAtMs !== null && c.daysSinceLastOrder !== null ? c.lastOrderAtMs + c.daysSinceLastOrder * 86_400_000 : nowMs;
  const chance = describeChurnChance(c.churnProbability, c.churnHorizonDays);
  const label = c.newCustomer ? 'New customer' : CHURN_TIER_LABEL[c.churnTier];
  return (
    <section
      class={`card tier-${c.newCustomer ? 'new' : c.churnTier}`}
      data-state="found"
      data-tier={c.churnTier}
      data-new={c.newCustomer ? 'true' : undefined}
      aria-label="CLV Lens customer insight"
    >
      <header>
        <h2>CLV Lens</h2>
        <span class="pill" tabIndex={0} title={chance}>
          <span class="dot" aria-hidden="true" />
          {label}
        </span>
        {c.isRepeat && <span class="pill neutral">↻ Repeat customer</span>}
        {c.overdue && <span class="pill warn">! Next order overdue</span>}
      </header>
      <p class="chance" data-testid="churn-chance">
        {chance}
        {c.confidence === 'low' && ' (rough estimate)'}
      </p>
      <p class="note" data-testid="risk-note">
        {c.newCustomer
          ? "One order so far, within your shop's usual time to a second order: too early to call this a risk."
          : 'The risk tier compares this customer with the rest of your shop.'}
      </p>
      <dl class="stats">
        <Stat label="Historic CLV" value={formatMoney(c.historicClvMinor, c.currency)} />
        <Stat
          label="Predicted CLV (12 months)"
          value={c.predictedClvMinor === null ? 'No model yet' : formatMoney(c.predictedClvMinor, c.currency)}
        />
        <Stat label="Orders" value={String(c.orderCount)} />
        <Stat label="Average order" value={formatMoney(c.averageOrderValueMinor, c.currency)} />
        <Stat label="Since last order" value={c.daysSinceLastOrder === null ? '—' : formatDays(c.daysSinceLastOrder)} />
        <Stat
          label="Next order expected"
          value={
            c.expectedNextOrderAtMs === null
              ? '—'
              : `${formatDate(c.expectedNextOrderAtMs)} (${formatRelativeDays(c.expectedNextOrderAtMs, asOfMs)})`
          }
        />
        <Stat label="Segment" value={formatSegment(c.rfmSegment)} />
      </dl>
      {c.churnReasons.length > 0 && (
        <div class="reasons">
          <h3>Why {label.toLowerCase()}</h3>
          <ul>
            {c.churnReasons.map((r, i) => (
              <li key={i}>{r}</li>
            ))}
          </ul>
        </div>
      )}
      {c.confidence === 'low' && <p class="note">Low confidence: the shop has little data, so a simple cadence rule was used.</p>}
      <div class="history">
        <span class="history-label">Orders</span>
        <Sparkline orders={c.orderHistory} />
      </div>
    </section>
  );
}
