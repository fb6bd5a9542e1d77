import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CHURN_RISK_TRIGGER_HANDLE, churnRiskPayload, FLOW_FIELD_KEYS, FLOW_PAYLOAD_MAX_BYTES } from './flow-trigger.ts';

const toml = readFileSync(new URL('../../../extensions/customer-churn-risk-changed/shopify.extension.toml', import.meta.url), 'utf8');
const change = {
  customerId: '706405506930370084',
  oldTier: 'low' as const,
  newTier: 'high' as const,
  churnProbability: 0.823456,
  churnHorizonDays: 90,
  predictedClvMinor: 12_345,
  currency: 'USD',
};

describe('churnRiskPayload', () => {
  it("has exactly the TOML's field keys, plus customer_id for the customer reference", () => {
    expect(toml).toContain(`handle = "${CHURN_RISK_TRIGGER_HANDLE}"`);
    expect(toml).toContain('type = "flow_trigger"');
    expect(toml).toMatch(/^\[\[settings\.fields\]\]\ntype = "customer_reference"$/m);
    const keys = [...toml.matchAll(/^key = "([^"]+)"$/gm)].map((m) => m[1]);
    const built = churnRiskPayload({ ...change, customerId: '7030' });
    expect(built.ok && Object.keys(built.payload).sort()).toEqual(['customer_id', ...keys].sort());
    expect(Object.values(FLOW_FIELD_KEYS).sort()).toEqual([...keys].sort());
  });

  it('sends the id as a number, money in major units of the shop currency, the probability to 4 decimals', () => {
    expect(churnRiskPayload({ ...change, customerId: '7030' })).toEqual({
      ok: true,
      payload: { customer_id: 7030, 'Old tier': 'low', 'New tier': 'high', 'Churn probability': 0.8235, 'Predicted CLV': 123.45, 'Churn horizon days': 90 },
    });
    const yen = churnRiskPayload({ ...change, customerId: '7030', currency: 'JPY', predictedClvMinor: 12_345 });
    expect(yen.ok && yen.payload['Predicted CLV']).toBe(12_345);
  });

  it('leaves out the predicted CLV when there is none, and refuses an id a JSON number cannot hold exactly', () => {
    const none = churnRiskPayload({ ...change, customerId: '7030', predictedClvMinor: null });
    expect(none.ok && 'Predicted CLV' in none.payload).toBe(false);
    expect(churnRiskPayload(change)).toEqual({ ok: false, reason: 'unsafe-customer-id' });
    expect(FLOW_PAYLOAD_MAX_BYTES).toBe(50_000);
  });
});
