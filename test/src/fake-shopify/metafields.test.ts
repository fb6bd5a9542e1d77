import { describe, expect, it } from 'vitest';
import { checkDefinition, checkSet, resolveNamespace, valueError, type MetafieldDefinitionRecord, type SetEnv } from './metafields.ts';

const APP = 77;
const def = (over: Partial<Parameters<typeof checkDefinition>[0]> = {}) => ({
  name: 'Churn tier',
  namespace: '$app:clvlens',
  key: 'churn_tier',
  type: 'single_line_text_field',
  ownerType: 'CUSTOMER',
  validations: [{ name: 'choices', value: '["low","medium","high"]' }],
  ...over,
});

describe('resolveNamespace', () => {
  it('resolves the app-reserved forms for the calling app', () => {
    expect(resolveNamespace('$app:clvlens', APP)).toBe('app--77--clvlens');
    expect(resolveNamespace('$app', APP)).toBe('app--77');
    expect(resolveNamespace(null, APP)).toBe('app--77');
    expect(resolveNamespace('custom', APP)).toBe('custom');
  });
});

describe('checkDefinition', () => {
  it('accepts an app-owned definition, private to the app unless access says otherwise', () => {
    const r = checkDefinition(def(), [], APP);
    expect(r.ok && r.record).toMatchObject({ namespace: 'app--77--clvlens', access: { admin: 'PRIVATE' } });
    const shared = checkDefinition(def({ access: { admin: 'MERCHANT_READ' } }), [], APP);
    expect(shared.ok && shared.record.access.admin).toBe('MERCHANT_READ');
  });

  it('answers TAKEN for a second definition of the same namespace and key', () => {
    const first = checkDefinition(def(), [], APP);
    if (!first.ok) throw new Error('expected ok');
    const existing = [{ ...first.record, id: 1, createdAtMs: 0, pinnedPosition: null }] as MetafieldDefinitionRecord[];
    const again = checkDefinition(def(), existing, APP);
    expect(!again.ok && again.errors.map((e) => e.code)).toEqual(['TAKEN']);
  });

  it('checks key length and characters, type names, validations and reserved namespaces', () => {
    const codes = (over: Parameters<typeof def>[0]) => {
      const r = checkDefinition(def(over), [], APP);
      return r.ok ? [] : r.errors.map((e) => e.code);
    };
    expect(codes({ key: 'x' })).toEqual(['TOO_SHORT']);
    expect(codes({ key: 'k'.repeat(65) })).toEqual(['TOO_LONG']);
    expect(codes({ key: 'churn tier' })).toEqual(['INVALID_CHARACTER']);
    expect(codes({ type: 'number' })).toContain('INCLUSION');
    expect(codes({ validations: [{ name: 'choices', value: '["a","a"]' }] })).toEqual(['DUPLICATE_OPTION']);
    expect(codes({ type: 'number_integer', validations: [{ name: 'choices', value: '["a"]' }] })).toEqual(['INVALID_OPTION']);
    expect(codes({ namespace: 'app--12--theirs' })).toEqual(['RESERVED_NAMESPACE_KEY']);
    expect(codes({ namespace: 'shopify--discounts' })).toEqual(['RESERVED_NAMESPACE_KEY']);
    expect(codes({ namespace: 'custom', access: { admin: 'MERCHANT_READ' } })).toEqual(['ADMIN_ACCESS_INPUT_NOT_ALLOWED']);
  });
});

describe('valueError', () => {
  it('checks each type its way', () => {
    expect(valueError('number_integer', '90')).toBeNull();
    expect(valueError('number_integer', '9.5')).toMatch(/integer/);
    expect(valueError('number_decimal', '0.125')).toBeNull();
    expect(valueError('number_decimal', 'NaN')).toMatch(/decimal/);
    expect(valueError('number_decimal', '0.1234567891')).toMatch(/decimal places/);
    expect(valueError('single_line_text_field', 'a\nb')).toMatch(/single line/);
    expect(valueError('boolean', 'yes')).toMatch(/true or false/);
  });
});

describe('checkSet', () => {
  const tier = checkDefinition(def(), [], APP);
  if (!tier.ok) throw new Error('expected ok');
  const tierDef = { ...tier.record, id: 1, createdAtMs: 0, pinnedPosition: null } as MetafieldDefinitionRecord;
  const env: SetEnv = {
    appId: APP,
    owner: (gid) => (gid === 'gid://shopify/Customer/1' ? { ownerType: 'CUSTOMER', id: 1 } : null),
    definition: (_o, ns, key) => (ns === tierDef.namespace && key === tierDef.key ? tierDef : undefined),
    current: () => undefined,
  };
  const set = (over: Record<string, unknown> = {}) => ({
    ownerId: 'gid://shopify/Customer/1',
    namespace: '$app:clvlens',
    key: 'churn_tier',
    value: 'high',
    ...over,
  });

  it("takes the definition's type when the input has none", () => {
    const r = checkSet([set()], env);
    expect(r.ok && r.sets).toEqual([
      { ownerType: 'CUSTOMER', ownerId: 1, namespace: 'app--77--clvlens', key: 'churn_tier', type: 'single_line_text_field', value: 'high' },
    ]);
  });

  it('names each bad input by its index, and rejects the whole call', () => {
    const r = checkSet(
      [
        set(),
        set({ value: 'extreme' }),
        set({ ownerId: 'gid://shopify/Customer/9' }),
        set({ key: 'x2', type: 'number_integer', value: '1.5' }),
        set({ type: 'number_integer', value: '3' }),
      ],
      env,
    );
    expect(!r.ok && r.errors.map((e) => [e.elementIndex, e.code])).toEqual([
      [1, 'INVALID_VALUE'],
      [2, 'INVALID'],
      [3, 'INVALID_VALUE'],
      [4, 'INVALID_TYPE'],
    ]);
  });

  it("refuses another app's namespace and a stale compareDigest", () => {
    const r = checkSet([set({ namespace: 'app--12--x' }), set({ compareDigest: 'a'.repeat(64) })], env);
    expect(!r.ok && r.errors.map((e) => e.code)).toEqual(['APP_NOT_AUTHORIZED', 'STALE_OBJECT']);
  });

  it('needs a type when there is no definition', () => {
    const r = checkSet([set({ key: 'free_text' })], env);
    expect(!r.ok && r.errors.map((e) => e.code)).toEqual(['BLANK']);
  });
});
