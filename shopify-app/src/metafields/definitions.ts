import { RFM_SEGMENTS } from '@clvlens/core';
import { AppError } from '../errors.ts';
import type { ShopGraphql } from '../shopify/graphql.ts';

/**
 * The app-reserved namespace of CLV Lens' customer metafields. Shopify resolves `$app:clvlens` to
 * `app--<app id>--clvlens`: only this app can write there, so no merchant edit or other app overwrites a prediction,
 * and the app's definitions are removed with the app.
 */
export const METAFIELD_NAMESPACE = '$app:clvlens';

/** The keys the app writes on every scored customer. */
export const METAFIELD_KEYS = ['churn_probability', 'churn_horizon_days', 'churn_tier', 'predicted_clv', 'rfm_segment'] as const;
export type MetafieldKey = (typeof METAFIELD_KEYS)[number];

const CHURN_TIERS = ['low', 'medium', 'high'] as const;

/** One definition as `metafieldDefinitionCreate` takes it (`MetafieldDefinitionInput`). */
export interface MetafieldDefinitionSpec {
  key: MetafieldKey;
  name: string;
  description: string;
  /** A type Shopify's customer segment editor filters on (number, text) and Flow conditions compare. */
  type: 'number_decimal' | 'number_integer' | 'single_line_text_field';
  validations: { name: string; value: string }[];
}

/**
 * What the app defines. Types follow Shopify's "Metafield-based customer segment filters" (segments can use date and
 * time, number, text and true/false metafields; money is not among them, so predicted CLV is a decimal in the shop
 * currency), and choices on the text ones give the segment editor and Flow a fixed list to pick from.
 */
export const METAFIELD_DEFINITIONS: readonly MetafieldDefinitionSpec[] = [
  {
    key: 'churn_probability',
    name: 'Churn probability',
    description: 'CLV Lens: probability (0 to 1) that the customer does not order again within the churn horizon.',
    type: 'number_decimal',
    validations: [
      { name: 'min', value: '0' },
      { name: 'max', value: '1' },
      { name: 'max_precision', value: '3' },
    ],
  },
  {
    key: 'churn_horizon_days',
    name: 'Churn horizon (days)',
    description: 'CLV Lens: the number of days the churn probability looks ahead.',
    type: 'number_integer',
    validations: [{ name: 'min', value: '1' }],
  },
  {
    key: 'churn_tier',
    name: 'Churn tier',
    description: 'CLV Lens: churn risk tier (low, medium, high).',
    type: 'single_line_text_field',
    validations: [{ name: 'choices', value: JSON.stringify(CHURN_TIERS) }],
  },
  {
    key: 'predicted_clv',
    name: 'Predicted CLV',
    description: 'CLV Lens: predicted future spend in the shop currency, whole units.',
    type: 'number_decimal',
    validations: [{ name: 'min', value: '0' }],
  },
  {
    key: 'rfm_segment',
    name: 'RFM segment',
    description: 'CLV Lens: RFM segment, named as in Shopify customer segments.',
    type: 'single_line_text_field',
    validations: [{ name: 'choices', value: JSON.stringify(RFM_SEGMENTS) }],
  },
];

/** Changes whenever {@link METAFIELD_DEFINITIONS} does, so shops get the new definitions at the next sync. */
export const DEFINITIONS_VERSION = `v1:${METAFIELD_DEFINITIONS.map((d) => `${d.key}=${d.type}`).join(',')}`;

const DEFINITIONS_QUERY = /* GraphQL */ `
  #graphql
  query ClvLensMetafieldDefinitions($namespace: String!) {
    metafieldDefinitions(first: 50, ownerType: CUSTOMER, namespace: $namespace) {
      nodes {
        key
        type {
          name
        }
      }
    }
  }
`;

const DEFINITION_CREATE = /* GraphQL */ `
  #graphql
  mutation ClvLensMetafieldDefinitionCreate($definition: MetafieldDefinitionInput!) {
    metafieldDefinitionCreate(definition: $definition) {
      createdDefinition {
        id
      }
      userErrors {
        field
        message
        code
      }
    }
  }
`;

interface DefinitionsData {
  metafieldDefinitions: { nodes: { key: string; type: { name: string } }[] };
}
interface CreateData {
  metafieldDefinitionCreate: {
    createdDefinition: { id: string } | null;
    userErrors: { field: string[] | null; message: string; code: string | null }[];
  } | null;
}

/**
 * Creates the app's customer metafield definitions the shop does not have yet; idempotent (an existing one, or a
 * `TAKEN` answer from a concurrent run, counts as done). Admin access is `MERCHANT_READ`: merchants see the values on
 * the customer page and in the segment editor and Flow, but cannot edit what the next recompute would overwrite.
 * Throws {@link AppError} `shopify-request` when Shopify refuses a definition for another reason, or when a definition
 * exists with another type (the merchant cannot change app-owned definitions, so that is a bug to report).
 * @returns the keys created by this call.
 */
export async function ensureMetafieldDefinitions(graphql: ShopGraphql, shop: string): Promise<MetafieldKey[]> {
  const existing = await graphql.request<DefinitionsData>(DEFINITIONS_QUERY, { namespace: METAFIELD_NAMESPACE }, 60);
  const have = new Map(existing.metafieldDefinitions.nodes.map((n) => [n.key, n.type.name]));
  const created: MetafieldKey[] = [];
  for (const spec of METAFIELD_DEFINITIONS) {
    const type = have.get(spec.key);
    if (type !== undefined) {
      if (type !== spec.type) {
        throw new AppError(
          'shopify-request',
          `${shop}: metafield ${METAFIELD_NAMESPACE}.${spec.key} is defined as ${type}, the app writes ${spec.type}; delete the definition and resync.`,
        );
      }
      continue;
    }
    const data = await graphql.request<CreateData>(
      DEFINITION_CREATE,
      {
        definition: {
          namespace: METAFIELD_NAMESPACE,
          key: spec.key,
          name: spec.name,
          description: spec.description,
          ownerType: 'CUSTOMER',
          type: spec.type,
          validations: spec.validations,
          access: { admin: 'MERCHANT_READ' },
        },
      },
      12,
    );
    const errors = (data.metafieldDefinitionCreate?.userErrors ?? []).filter((e) => e.code !== 'TAKEN');
    if (errors.length > 0) {
      throw new AppError(
        'shopify-request',
        `${shop}: Shopify refused metafield definition ${spec.key}: ${errors.map((e) => `${e.code ?? 'ERROR'} ${e.message}`).join('; ')}`,
      );
    }
    if (data.metafieldDefinitionCreate?.createdDefinition) created.push(spec.key);
  }
  return created;
}
