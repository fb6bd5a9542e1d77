import type { CachedCustomer } from '../db/schema.ts';
import type { PlainError } from '../errors.ts';
import { ui } from '../i18n/ui-locale.ts';
import type { BadgeSettings } from '../messages/protocol.ts';
import { customerFacts, describeDue } from '../utils/customer-facts.ts';
import { formatChance, formatMoneyCompact, viewerTimeZone } from '../utils/format.ts';

/** What a badge or card currently knows about its customer. */
export type CustomerView =
  | { state: 'loading' }
  | { state: 'not-connected' }
  /** `pending`: the app has computed nothing for the shop yet (importing its history, or scoring it the first time). */
  | { state: 'missing'; pending?: boolean }
  /** An order without a customer (guest checkout). */
  | { state: 'guest' }
  /** `timeZone`: the shop's IANA zone, in which dates show and days are counted (the viewer's when absent). */
  /** `problem`: why the shop's last sync failed, when it did (the card says the numbers may be out of date). */
  | { state: 'found'; customer: CachedCustomer; timeZone?: string | undefined; problem?: PlainError | undefined };

/** What the badge's risk part reads: "High risk 82%", or "New customer" for a customer too new to judge. */
export function badgeRiskText(c: CachedCustomer): string {
  const t = ui();
  if (c.newCustomer) return t.t('ext.badge.new');
  // A record from an app before the horizon: its probability meant something else, so only the tier shows.
  if (c.churnHorizonDays === null || c.churnHorizonDays === undefined) return t.t('ext.badge.riskOnly', { tier: c.churnTier });
  return t.t('ext.badge.risk', { tier: c.churnTier, chance: formatChance(t, c.churnProbability) });
}

/** The full explanation (tooltip and screen-reader description), one sentence per line of the card. */
export function describeCustomer(c: CachedCustomer, nowMs: number = Date.now(), timeZone: string = viewerTimeZone()): string {
  const t = ui();
  const f = customerFacts(t, c, nowMs, timeZone);
  const parts = [`${f.headline}: ${f.chance}.`];
  if (f.reasons.length > 0) parts.push(`${t.list(f.reasons)}.`);
  parts.push(`${t.t('ext.value.predicted', { amount: c.predictedClvMinor === null ? t.t('ext.value.noModel') : t.money(c.predictedClvMinor, c.currency) })}.`);
  parts.push(`${t.t('ext.value.historic', { amount: t.money(c.historicClvMinor, c.currency) })}.`);
  const due = describeDue(t, f.due);
  if (due !== null) parts.push(`${t.t('ext.card.stat.nextExpected')}: ${due}.`);
  if (f.notCounted) parts.push(f.notCounted);
  return parts.join(' ');
}

export interface BadgeProps {
  view: CustomerView;
  fields: BadgeSettings['fields'];
  nowMs?: number;
}

/** Keeps a click or key press on the badge from reaching the admin row around it (rows open on click). */
const stop = (e: Event) => e.stopPropagation();

/**
 * The compact badge beside a customer link: what the admin does not show. The risk tier with its chance ("High risk
 * 82%"; "New customer" for one too new to judge; a colour dot plus words, so colour is never the only signal), the
 * Predicted CLV (12 months), and a late mark; historic CLV and order count only when chosen in the options (the
 * admin's own columns show them). Focusable; the explanation shows on hover or focus and is the accessible
 * description.
 */
export function Badge({ view, fields, nowMs = Date.now() }: BadgeProps) {
  const t = ui();
  if (view.state !== 'found') {
    const text =
      view.state === 'loading'
        ? t.t('ext.badge.loading')
        : view.state === 'not-connected'
          ? t.t('ext.badge.notConnected')
          : view.state === 'guest'
            ? t.t('ext.badge.guestLabel')
            : view.pending
              ? t.t('ext.badge.pendingLabel')
              : t.t('ext.badge.missingLabel');
    return (
      <span
        class="badge placeholder"
        data-state={view.state}
        tabIndex={0}
        role="note"
        aria-label={text}
        title={text}
        lang={t.locale}
        dir={t.dir}
        onClick={stop}
      >
        {view.state === 'loading' ? '…' : view.state === 'guest' ? t.t('ext.badge.guest') : `CLV –`}
      </span>
    );
  }
  const c = view.customer;
  const zone = view.timeZone ?? viewerTimeZone();
  const f = customerFacts(t, c, nowMs, zone);
  const risk = badgeRiskText(c);
  const predicted = t.t('ext.value.predicted', {
    amount: c.predictedClvMinor === null ? t.t('ext.value.noModel') : t.money(c.predictedClvMinor, c.currency),
  });
  const late = f.due.kind === 'late' ? f.due.days : null;
  return (
    <span
      class={`badge tier-${f.tone}`}
      data-state="found"
      data-tier={c.churnTier}
      data-new={c.newCustomer ? 'true' : undefined}
      tabIndex={0}
      role="note"
      lang={t.locale}
      dir={t.dir}
      aria-label={t.t('ext.badge.label', { risk: `${risk}, ${f.chance}`, predicted })}
      aria-describedby="clvlens-tip"
      onClick={stop}
      onMouseDown={stop}
      onKeyDown={stop}
    >
      {fields.churnTier && (
        <span class="tier">
          <span class="dot" aria-hidden="true" />
          {risk}
        </span>
      )}
      {fields.predictedClv !== false && c.predictedClvMinor !== null && (
        <span class="predicted">{t.t('ext.badge.predicted', { amount: formatMoneyCompact(t, c.predictedClvMinor, c.currency) })}</span>
      )}
      {fields.historicClv && <span class="clv">{formatMoneyCompact(t, c.historicClvMinor, c.currency)}</span>}
      {fields.orderCount && <span class="orders">{t.t('ext.card.orders', { n: c.orderCount })}</span>}
      {fields.overdue && late !== null && (
        <span class={`mark overdue${c.churnTier === 'low' ? ' mild' : ''}`} aria-hidden="true">
          {t.t('ext.badge.late', { days: late })}
        </span>
      )}
      {fields.repeat && c.isRepeat && (
        <span class="mark repeat" aria-hidden="true">
          ↻ {t.t('ext.badge.repeat')}
        </span>
      )}
      <span class="tip" id="clvlens-tip" role="tooltip">
        {describeCustomer(c, nowMs, zone)}
      </span>
    </span>
  );
}
