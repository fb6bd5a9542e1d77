import { describe, expect, it } from 'vitest';
import { FLOW_PAYLOAD_MAX_BYTES, FlowTriggerReceiver, loadFlowTriggers } from './flow-triggers.ts';

const SHOP = 'flow-fake.myshopify.com';
const good = { customer_id: 7030, 'Old tier': 'low', 'New tier': 'high', 'Churn probability': 0.82, 'Predicted CLV': 123.45, 'Churn horizon days': 90 };

describe('loadFlowTriggers', () => {
  it("reads the app's flow_trigger extension from its TOML", () => {
    expect(loadFlowTriggers()).toEqual([
      {
        handle: 'customer-churn-risk-changed',
        name: 'Customer churn risk changed',
        fields: [
          { type: 'customer_reference', key: null },
          { type: 'single_line_text_field', key: 'Old tier' },
          { type: 'single_line_text_field', key: 'New tier' },
          { type: 'number_decimal', key: 'Churn probability' },
          { type: 'number_decimal', key: 'Predicted CLV' },
          { type: 'number_integer', key: 'Churn horizon days' },
        ],
      },
    ]);
  });
});

describe('FlowTriggerReceiver', () => {
  const receiver = () => new FlowTriggerReceiver(loadFlowTriggers());

  it('accepts a payload of the trigger fields and logs it', () => {
    const r = receiver();
    expect(r.receive(SHOP, { handle: 'customer-churn-risk-changed', payload: good }, 1000)).toEqual([]);
    const { 'Predicted CLV': _left, ...withoutClv } = good;
    expect(r.receive(SHOP, { handle: 'customer-churn-risk-changed', payload: withoutClv }, 2000)).toEqual([]);
    expect(r.events({ shop: SHOP })).toEqual([
      { shop: SHOP, handle: 'customer-churn-risk-changed', payload: good, receivedAtMs: 1000 },
      { shop: SHOP, handle: 'customer-churn-risk-changed', payload: withoutClv, receivedAtMs: 2000 },
    ]);
  });

  it('answers userErrors for an unknown handle, a key that is no field, a wrong type, the deprecated body, an oversized payload', () => {
    const r = receiver();
    expect(r.receive(SHOP, { handle: 'customer-churn-risk', payload: good }, 0)[0]!.field).toEqual(['handle']);
    expect(r.receive(SHOP, { handle: 'customer-churn-risk-changed', payload: { ...good, Tier: 'high' } }, 0)).toEqual([
      { field: ['payload', 'Tier'], message: '"Tier" is not a field of trigger customer-churn-risk-changed.' },
    ]);
    expect(r.receive(SHOP, { handle: 'customer-churn-risk-changed', payload: { ...good, customer_id: '7030' } }, 0)[0]!.field).toEqual([
      'payload',
      'customer_id',
    ]);
    expect(r.receive(SHOP, { handle: 'customer-churn-risk-changed', payload: { ...good, 'Churn horizon days': 90.5 } }, 0)[0]!.field).toEqual([
      'payload',
      'Churn horizon days',
    ]);
    expect(r.receive(SHOP, { body: '{}' }, 0)[0]!.field).toEqual(['body']);
    const big = { ...good, 'Old tier': 'x'.repeat(FLOW_PAYLOAD_MAX_BYTES) };
    expect(r.receive(SHOP, { handle: 'customer-churn-risk-changed', payload: big }, 0)[0]!.message).toMatch(/limit is 50000 bytes/);
    expect(r.events()).toEqual([]);
  });
});
