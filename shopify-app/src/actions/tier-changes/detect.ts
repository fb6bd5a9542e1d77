import { localDayNumber, type ChurnTierV1, type CustomerInsightV1, type TierChangeReasonV1 } from '@clvlens/core';
import { churnReasonsOf } from '@clvlens/core/i18n';

/** Riskiness order of the tiers: a move to a higher rank is a worsening. */
const TIER_RANK: Record<ChurnTierV1, number> = { low: 0, medium: 1, high: 2 };

/** A customer's move from one churn tier to another, found by one recompute. */
export interface TierChange {
  /** Decimal Shopify customer id. */
  customerId: string;
  oldTier: ChurnTierV1;
  newTier: ChurnTierV1;
  /** True when the new tier is riskier (low to medium or high, medium to high). */
  worsened: boolean;
  /** After the change, in [0, 1]. */
  churnProbability: number;
  /** H of the probability, days. */
  churnHorizonDays: number;
  /** Predicted CLV after the change, minor units; null without a model. */
  predictedClvMinor: number | null;
  /** Predicted CLV before the change (the value at stake), minor units. */
  previousPredictedClvMinor: number | null;
  currency: string;
  /** Why the customer is in the new tier, in the shop's calendar days (the extension's card gives the same). */
  reasons: TierChangeReasonV1[];
  /** When the recompute found it, UTC ms. */
  changedAtMs: number;
}

/**
 * A freshly computed insight, before the write stamps `updatedAtMs` (the compute's `InsightDraft`, stated here from
 * core's type so this module does not import the writer that calls it).
 */
type FreshInsight = Omit<CustomerInsightV1, 'updatedAtMs'>;

/** The parts of a stored insight (our own JSON) the comparison reads. */
interface StoredTier {
  churnTier?: unknown;
  churnHorizonDays?: unknown;
  predictedClvMinor?: unknown;
}

/**
 * The tier changes among freshly computed insights: each draft whose stored insight (the previous one, JSON without
 * `updatedAtMs`) had another churn tier. Customers without a stored insight (first scoring) or with a tombstone have
 * no previous tier, so no change; neither does a stored insight of another churn horizon (the merchant changed the
 * setting: the tiers answer another question, and every customer would "move" at once).
 * @param stored the stored body of each customer of the run that has one (null for a tombstone)
 * @param timeZone the shop's IANA time zone, whose calendar days the reasons count
 */
export function findTierChanges(stored: ReadonlyMap<string, string | null>, drafts: readonly FreshInsight[], nowMs: number, timeZone: string): TierChange[] {
  const changes: TierChange[] = [];
  const dayOf = (ms: number) => localDayNumber(ms, timeZone);
  for (const draft of drafts) {
    const body = stored.get(draft.customerId);
    // Cheap test first: most changed insights keep their tier.
    if (body === undefined || body === null || body.includes(`"churnTier":"${draft.churnTier}"`)) continue;
    const before = JSON.parse(body) as StoredTier;
    const oldTier = before.churnTier;
    if (oldTier !== 'low' && oldTier !== 'medium' && oldTier !== 'high') continue;
    if (oldTier === draft.churnTier || before.churnHorizonDays !== draft.churnHorizonDays) continue;
    changes.push({
      customerId: draft.customerId,
      oldTier,
      newTier: draft.churnTier,
      worsened: TIER_RANK[draft.churnTier] > TIER_RANK[oldTier],
      churnProbability: draft.churnProbability,
      churnHorizonDays: draft.churnHorizonDays,
      predictedClvMinor: draft.predictedClvMinor,
      previousPredictedClvMinor: typeof before.predictedClvMinor === 'number' ? before.predictedClvMinor : null,
      currency: draft.currency,
      reasons: churnReasonsOf(draft, dayOf),
      changedAtMs: nowMs,
    });
  }
  return changes;
}
