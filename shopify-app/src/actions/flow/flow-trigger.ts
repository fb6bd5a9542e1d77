import type { ChurnTierV1 } from '@clvlens/core';
import { currencyExponent } from '../../ingest/money.ts';

/** Handle of the "Customer churn risk changed" trigger (`extensions/customer-churn-risk-changed/shopify.extension.toml`). */
export const CHURN_RISK_TRIGGER_HANDLE = 'customer-churn-risk-changed';

/**
 * The trigger's custom field keys, exactly as in its TOML. Flow matches payload keys to field keys, so these are the
 * JSON keys sent; the customer reference field travels as `customer_id` (Shopify's rule for `customer_reference`).
 */
export const FLOW_FIELD_KEYS = {
  oldTier: 'Old tier',
  newTier: 'New tier',
  churnProbability: 'Churn probability',
  predictedClv: 'Predicted CLV',
  horizonDays: 'Churn horizon days',
} as const;

/**
 * Largest payload Flow accepts, bytes of its JSON. Shopify's Flow guidelines once said "less than 1 MB"; the
 * live API answers a userError above 50,000 bytes (third-party conformance captures against 2026-04), so the app keeps
 * to the smaller figure. Our payload is about 150 bytes; the check guards against a future field growing.
 */
export const FLOW_PAYLOAD_MAX_BYTES = 50_000;

/** The JSON payload of one trigger call. */
export interface ChurnRiskPayload {
  /** The numeric Shopify customer id (`customer_reference` field). */
  customer_id: number;
  'Old tier': ChurnTierV1;
  'New tier': ChurnTierV1;
  'Churn probability': number;
  /** Shop currency, major units (e.g. 123.45). Left out when the shop has no CLV model yet (see README). */
  'Predicted CLV'?: number;
  'Churn horizon days': number;
}

/** Why a tier change cannot be sent to Flow (recorded on the change as `skipped`). */
export const FlowPayloadProblem = {
  /** The id does not fit a JSON number exactly (above 2^53): Flow would get another customer. */
  unsafeCustomerId: 'unsafe-customer-id',
  tooLarge: 'payload-too-large',
} as const;
export type FlowPayloadProblem = (typeof FlowPayloadProblem)[keyof typeof FlowPayloadProblem];

/** What the payload is built from: a stored tier change. */
export interface FlowTierChange {
  customerId: string;
  oldTier: ChurnTierV1;
  newTier: ChurnTierV1;
  churnProbability: number;
  churnHorizonDays: number;
  predictedClvMinor: number | null;
  currency: string;
}

/**
 * The trigger payload of a tier change: keys exactly the trigger's fields, money converted once from minor units to
 * the shop currency's decimal amount (Flow's `number_decimal`), probability rounded to 4 decimals.
 */
export function churnRiskPayload(change: FlowTierChange): { ok: true; payload: ChurnRiskPayload } | { ok: false; reason: FlowPayloadProblem } {
  const id = Number(change.customerId);
  if (!Number.isSafeInteger(id) || String(id) !== change.customerId) return { ok: false, reason: FlowPayloadProblem.unsafeCustomerId };
  const payload: ChurnRiskPayload = {
    customer_id: id,
    [FLOW_FIELD_KEYS.oldTier]: change.oldTier,
    [FLOW_FIELD_KEYS.newTier]: change.newTier,
    [FLOW_FIELD_KEYS.churnProbability]: Math.round(change.churnProbability * 10_000) / 10_000,
    ...(change.predictedClvMinor === null ? {} : { [FLOW_FIELD_KEYS.predictedClv]: change.predictedClvMinor / 10 ** currencyExponent(change.currency) }),
    [FLOW_FIELD_KEYS.horizonDays]: change.churnHorizonDays,
  };
  if (Buffer.byteLength(JSON.stringify(payload)) > FLOW_PAYLOAD_MAX_BYTES) return { ok: false, reason: FlowPayloadProblem.tooLarge };
  return { ok: true, payload };
}

/** The trigger call; `userErrors` is the documented answer (FlowTriggerReceivePayload, Admin API 2026-07). */
export const FLOW_TRIGGER_RECEIVE = /* GraphQL */ `
  #graphql
  mutation CustomerChurnRiskChanged($handle: String!, $payload: JSON!) {
    flowTriggerReceive(handle: $handle, payload: $payload) {
      userErrors {
        field
        message
      }
    }
  }
`;

/** The data of {@link FLOW_TRIGGER_RECEIVE}. */
export interface FlowTriggerReceiveData {
  flowTriggerReceive: { userErrors: { field: string[] | null; message: string }[] } | null;
}
