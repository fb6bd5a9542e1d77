import { buildSchema } from 'graphql';
import { describe, expect, it } from 'vitest';
import { schemaSubsetMismatches } from './schema-subset.ts';

const FULL = buildSchema(`
  type Query { order(id: ID!): Order  orders(first: Int, sortKey: SortKey = PROCESSED_AT): [Order!]! }
  interface Node { id: ID! }
  type Order implements Node { id: ID! email: String total: Money! }
  type Money { amount: String! }
  enum SortKey { ID PROCESSED_AT }
  input Filter { uri: String! format: SortKey }
  type Mutation { run(filter: Filter!, dryRun: Boolean!): Boolean }
`);

describe('schemaSubsetMismatches', () => {
  it('returns nothing for a faithful subset', () => {
    const subset = buildSchema(`
      type Query { order(id: ID!): Order  orders(first: Int, sortKey: SortKey = PROCESSED_AT): [Order!]! }
      interface Node { id: ID! }
      type Order implements Node { id: ID! total: Money! }
      type Money { amount: String! }
      enum SortKey { ID }
    `);
    expect(schemaSubsetMismatches(subset, FULL)).toEqual([]);
  });

  it('reports each field, argument, default, enum value and type that departs from the full schema', () => {
    const subset = buildSchema(`
      type Query { order(id: ID): Order  orders(first: Int, sortKey: SortKey = ID, after: String): [Order]! }
      type Order { id: ID! email: String! totalPrice: String }
      type Money { amount: String! }
      type Extra { x: Int }
      enum SortKey { ID CREATED_AT }
      input Filter { uri: String! }
      type Mutation { run(filter: Filter!): Boolean }
    `);
    expect(schemaSubsetMismatches(subset, FULL)).toEqual([
      "Query.order(id:): type ID here, ID! in Shopify's schema",
      "Query.orders: type [Order]! here, [Order!]! in Shopify's schema",
      "Query.orders(sortKey:): default ID here, PROCESSED_AT in Shopify's schema",
      "Query.orders(after:): argument not in Shopify's schema",
      "Order.email: type String! here, String in Shopify's schema",
      "Order.totalPrice: field not in Shopify's schema",
      "Extra: type not in Shopify's schema",
      "SortKey.CREATED_AT: enum value not in Shopify's schema",
      'Mutation.run(dryRun:): required by Shopify, missing here',
    ]);
  });

  it('reports a type of another kind and a missing required input field', () => {
    const subset = buildSchema(`
      type Query { order(id: ID!): Order }
      scalar Order
      input Filter { format: SortKey }
      enum SortKey { ID }
      type Mutation { run(filter: Filter!, dryRun: Boolean!): Boolean }
    `);
    expect(schemaSubsetMismatches(subset, FULL)).toEqual(["Order: scalar here, object in Shopify's schema", 'Filter.uri: required by Shopify, missing here']);
  });
});
