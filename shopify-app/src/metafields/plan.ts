import { currencyExponent, type CurrencyCode } from '@clvlens/core';
import type { MetafieldKey } from './definitions.ts';

/** Most metafields one `metafieldsSet` call takes (Shopify's documented limit). */
export const METAFIELDS_PER_CALL = 25;

/** What the sync reads of a customer's stored insight. */
export interface InsightForMetafields {
  /** Decimal Shopify customer id. */
  customerId: string;
  /** In [0, 1]. */
  churnProbability: number;
  churnHorizonDays: number;
  churnTier: string;
  /** Minor units of `currency`; null when no CLV model fitted. */
  predictedClvMinor: number | null;
  rfmSegment: string;
  currency: string;
}

/** Metafield values as Shopify stores them (strings), by key; a missing key is not written. */
export type MetafieldValues = Partial<Record<MetafieldKey, string>>;

/** A value Shopify refused, kept so the same value is not sent again on every run. */
export interface RejectedValue {
  value: string;
  message: string;
}

/** One metafield to set. */
export interface PlannedWrite {
  customerId: string;
  key: MetafieldKey;
  value: string;
}

/**
 * The strings the app writes for one customer. Churn probability is rounded to 0.001 and predicted CLV to whole units
 * of the shop currency: finer digits change at every daily refit, and writing them would resend every customer every
 * day for no difference a segment ("churn probability > 0.7", "predicted CLV > 200") could see.
 */
export function metafieldValuesOf(insight: InsightForMetafields): MetafieldValues {
  const values: MetafieldValues = {
    churn_probability: insight.churnProbability.toFixed(3),
    churn_horizon_days: String(insight.churnHorizonDays),
    churn_tier: insight.churnTier,
    rfm_segment: insight.rfmSegment,
  };
  if (insight.predictedClvMinor !== null) {
    // An unknown currency code is a bug upstream (ingest checks codes); then the customer gets no CLV value.
    let exponent: number | null = null;
    try {
      exponent = currencyExponent(insight.currency as CurrencyCode);
    } catch {
      exponent = null;
    }
    if (exponent !== null) values.predicted_clv = String(Math.round(insight.predictedClvMinor / 10 ** exponent));
  }
  return values;
}

/**
 * The writes a customer needs: every value that differs from what Shopify last accepted, except a value Shopify
 * already rejected unchanged (it would be rejected again; it is retried once it changes).
 */
export function changedValues(
  customerId: string,
  values: MetafieldValues,
  written: Readonly<Partial<Record<string, string>>>,
  rejected: Readonly<Partial<Record<string, RejectedValue>>>,
): PlannedWrite[] {
  const out: PlannedWrite[] = [];
  for (const [key, value] of Object.entries(values) as [MetafieldKey, string][]) {
    if (written[key] === value) continue;
    if (rejected[key]?.value === value) continue;
    out.push({ customerId, key, value });
  }
  return out;
}

/**
 * Keys Shopify holds a value for that the customer no longer has one for (predicted CLV after the CLV model stopped
 * fitting): deleted, so a segment never filters on a stale prediction.
 */
export function removedKeys(values: MetafieldValues, written: Readonly<Partial<Record<string, string>>>): MetafieldKey[] {
  return (Object.keys(written) as MetafieldKey[]).filter((key) => values[key] === undefined);
}

/**
 * Packs writes into `metafieldsSet` calls of at most {@link METAFIELDS_PER_CALL} inputs, keeping a customer's writes in
 * one call when they fit (a customer needs at most 5, so a call carries 5 fully changed customers, or more when only
 * some of their values changed). Writes must arrive grouped by customer.
 */
export function planCalls(writes: readonly PlannedWrite[], perCall: number = METAFIELDS_PER_CALL): PlannedWrite[][] {
  if (!Number.isInteger(perCall) || perCall < 1) throw new RangeError(`perCall must be a positive integer, got ${perCall}`);
  const calls: PlannedWrite[][] = [];
  let current: PlannedWrite[] = [];
  let i = 0;
  while (i < writes.length) {
    const customerId = (writes[i] as PlannedWrite).customerId;
    let j = i;
    while (j < writes.length && (writes[j] as PlannedWrite).customerId === customerId) j++;
    const group = writes.slice(i, j);
    if (current.length + group.length > perCall && current.length > 0) {
      calls.push(current);
      current = [];
    }
    for (const w of group) {
      if (current.length === perCall) {
        calls.push(current);
        current = [];
      }
      current.push(w);
    }
    i = j;
  }
  if (current.length > 0) calls.push(current);
  return calls;
}
