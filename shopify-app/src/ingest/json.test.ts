import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseJsonExact } from './json.ts';

describe('parseJsonExact', () => {
  it("keeps Shopify's sample ids above 2^53 exact, as text", () => {
    const body = '{"id":820982911946154508,"customer":{"id":115310627314723954},"line_items":[{"id":866550311766439020,"price":"199.00"}]}';
    expect(JSON.parse(body).id).toBe(820982911946154500);
    expect(parseJsonExact(body)).toEqual({
      id: '820982911946154508',
      customer: { id: '115310627314723954' },
      line_items: [{ id: '866550311766439020', price: '199.00' }],
    });
  });

  it('leaves every other value as JSON.parse reads it', () => {
    const body =
      '{"id":6075126841483,"total":12.5,"big":1e300,"neg":-9007199254740993,"s":"gid://shopify/Order/820982911946154508","n":null,"list":[1,2.5,true]}';
    expect(parseJsonExact(body)).toEqual({ ...JSON.parse(body), neg: '-9007199254740993' });
  });

  it('reads any 64-bit integer back exactly, wherever it sits', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: -(2n ** 63n), max: 2n ** 64n - 1n }), fc.boolean(), (id, inArray) => {
        const body = inArray ? `{"ids":[ 1, ${id} ]}` : `{"a":"x","id" : ${id}}`;
        const parsed = parseJsonExact(body) as { ids?: unknown[]; id?: unknown };
        const value = inArray ? parsed.ids![1] : parsed.id;
        expect(String(value)).toBe(String(id));
        expect(typeof value).toBe(Number.isSafeInteger(Number(id)) ? 'number' : 'string');
      }),
    );
  });

  it('throws as JSON.parse does on a body that is not JSON', () => {
    expect(() => parseJsonExact('{"id":820982911946154508')).toThrow(SyntaxError);
  });
});
