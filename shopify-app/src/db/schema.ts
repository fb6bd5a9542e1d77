import type { ColumnType, Generated } from 'kysely';

/** Timestamps come back as `Date` and go in as `Date` or ISO strings. */
type Timestamp = ColumnType<Date, Date | string, Date | string>;

/**
 * A Shopify id (`bigint` column): 64-bit, so the app sends it as decimal text. A plain `SELECT` of the column returns
 * a number when a double holds it exactly, else its text (see db/connect.ts), hence both types here; read it with
 * `::text` (or `String()` at once), as every query of the app does.
 */
type ShopifyId = string | number;

export interface ShopsTable {
  shop_id: string;
  status: Generated<string>;
  currency: string | null;
  iana_timezone: string | null;
  installed_at: Generated<Date>;
  uninstalled_at: Timestamp | null;
  insight_seq: Generated<number>;
  /**
   * The last write of the shop's insights (migration 0014, compute/write.ts): `insight_seq` before it, and the lowest
   * and highest customer id it wrote (bigint as decimal text); null when not known.
   */
  last_write_after_seq: ColumnType<number | null, number | null | undefined, number | null>;
  last_write_low_customer: ColumnType<string | null, string | null | undefined, string | null>;
  last_write_high_customer: ColumnType<string | null, string | null | undefined, string | null>;
  /** The shop's random HMAC key for guest keys and email keys, encrypted with the app key (ingest/pii.ts). */
  pii_key_enc: string | null;
  /** When the shop's marketing activities were last read for ad spend (imports/shopify-spend.ts); null: never. */
  marketing_spend_read_at: ColumnType<Date | null, Date | null | undefined, Date | null>;
}

export interface SessionsTable {
  id: string;
  shop_id: string;
  state: string;
  is_online: boolean;
  scope: string | null;
  expires_at: Timestamp | null;
  access_token_enc: string | null;
  refresh_token_enc: string | null;
  refresh_token_expires_at: Timestamp | null;
  online_access_info: string | null;
}

export interface OrdersTable {
  shop_id: string;
  order_id: ShopifyId;
  customer_id: ShopifyId | null;
  guest_key: string | null;
  placed_at: Timestamp;
  updated_at: Timestamp;
  currency: string;
  total_minor: number;
  refunded_minor: Generated<number>;
  cancelled: Generated<boolean>;
  test: Generated<boolean>;
  subscription: Generated<boolean>;
}

export interface OrderRefundsTable {
  shop_id: string;
  refund_id: ShopifyId;
  order_id: ShopifyId;
  refunded_at: Timestamp;
  amount_minor: number;
}

/** An order deleted in Shopify (orders/delete): its row is gone, this keeps it from coming back. */
export interface DeletedOrdersTable {
  shop_id: string;
  order_id: ShopifyId;
  deleted_at: Timestamp;
}

export interface CustomersTable {
  shop_id: string;
  customer_id: ShopifyId;
  updated_at: Timestamp | null;
  deleted: Generated<boolean>;
}

export interface CustomerPersonalTable {
  shop_id: string;
  customer_id: ShopifyId;
  /** Plain email of rows written before migration 0005; converted to `email_enc` at start, then always null. */
  email: string | null;
  /** The email encrypted with the app key (for the data-request export only). */
  email_enc: string | null;
  /** Per-shop HMAC of the normalised email (ingest/pii.ts), to find the customer a compliance request names by email. */
  email_key: string | null;
}

export interface CustomerInsightsTable {
  shop_id: string;
  customer_id: ShopifyId;
  change_seq: number;
  deleted: Generated<boolean>;
  payload: string | null;
  historic_clv_minor: Generated<number>;
  churn_probability: Generated<number>;
  predicted_clv_minor: number | null;
  updated_at: Timestamp;
}

export interface RecomputeQueueTable {
  shop_id: string;
  customer_id: ShopifyId;
  /** Taken anew on every (re)queue; see migration 0002. */
  queued_seq: Generated<number>;
}

export interface ShopMetricsTable {
  shop_id: string;
  as_of: Timestamp;
  payload: string;
  report: string | null;
  models: string | null;
  fitted_at: Timestamp | null;
  computed_at: Timestamp;
}

/** A split full run in progress (compute/split-run.ts; migration 0010). */
export interface SplitFullRunsTable {
  shop_id: string;
  run_id: string;
  reason: string;
  started_at: Timestamp;
  context: string;
  models: string;
  summary: string;
  report: string;
  upper_bounds: string;
  queued_up_to: ColumnType<string, string | number, string | number>;
  done: Generated<number[]>;
  /** Insights the run's buckets wrote so far, and how many at its last ANALYZE (migration 0012). */
  written: Generated<string>;
  analyzed_written: Generated<string>;
  /** Each finished bucket's InsightTally (compute/shop-metrics.ts) by bucket number (migration 0013). */
  tallies: ColumnType<Record<string, unknown>, never, never>;
}

export interface SyncStateTable {
  shop_id: string;
  state: Generated<string>;
  bulk_operation_id: string | null;
  bulk_url: string | null;
  bulk_lines_done: Generated<number>;
  orders_done: Generated<number>;
  orders_estimated: number | null;
  backfill_started_at: Timestamp | null;
  reconcile_checkpoint: Timestamp | null;
  last_sync_at: Timestamp | null;
  message: string | null;
}

export interface WebhookDeliveriesTable {
  shop_id: string;
  webhook_id: string;
  topic: string;
  received_at: Timestamp;
}

export interface DataRequestExportsTable {
  shop_id: string;
  request_id: string;
  customer_id: ShopifyId | null;
  payload: string;
  created_at: Timestamp;
}

export interface PairingCodesTable {
  code_hash: string;
  shop_id: string;
  expires_at: Timestamp;
  used_at: Timestamp | null;
}

export interface ExtensionTokensTable {
  token_hash: string;
  shop_id: string;
  created_at: Timestamp;
  revoked_at: Timestamp | null;
  last_used_at: Timestamp | null;
  /** The token stops working then unless used before; each use moves it to `EXTENSION_TOKEN_IDLE_MS` (api/pairing.ts) later. */
  expires_at: Timestamp;
}

export interface ShopSettingsTable {
  shop_id: string;
  /** Null: the app's default horizon. */
  churn_horizon_days: number | null;
  updated_at: Timestamp;
}

export interface QuarantinedRecordsTable {
  shop_id: string;
  record_kind: 'order' | 'refund' | 'bulk-line';
  record_id: string;
  reason: string;
  seen_at: Timestamp;
}

export interface DataImportsTable {
  shop_id: string;
  import_id: Generated<string>;
  kind: 'surveys' | 'spend';
  file_name: string;
  uploaded_at: Timestamp;
  rows_read: number;
  rows_added: number;
  rows_rejected: number;
  /** JSON array of `ImportRowError` (imports/import-store.ts), the first 100. */
  errors: string;
}

export interface SurveyResponsesTable {
  shop_id: string;
  response_key: string;
  kind: 'nps' | 'csat';
  score: number;
  /** `YYYY-MM` in the shop time zone. */
  month: string;
  customer_id: string | null;
  email_key: string | null;
  import_id: string;
}

export interface MarketingSpendTable {
  shop_id: string;
  source: 'upload' | 'shopify';
  month: string;
  amount_minor: string | number;
  currency: string;
  import_id: string | null;
  updated_at: Timestamp;
}

export interface MetafieldSyncStateTable {
  shop_id: string;
  /** Insight `change_seq` handled up to (migration 0007). */
  synced_seq: Generated<number>;
  definitions_version: string | null;
  last_run_at: Timestamp | null;
  last_written: Generated<number>;
  last_rejected: Generated<number>;
  message: string | null;
}

export interface CustomerMetafieldWritesTable {
  shop_id: string;
  customer_id: ShopifyId;
  /** JSON object: metafield key -> value string Shopify accepted. */
  written: Generated<string>;
  /** JSON object: metafield key -> { value, message } Shopify rejected. */
  rejected: Generated<string>;
  updated_at: Timestamp;
}

export interface CustomerTierChangesTable {
  shop_id: string;
  change_id: Generated<number>;
  customer_id: ShopifyId;
  old_tier: 'low' | 'medium' | 'high';
  new_tier: 'low' | 'medium' | 'high';
  worsened: boolean;
  churn_probability: number;
  churn_horizon_days: number;
  predicted_clv_minor: number | null;
  previous_predicted_clv_minor: number | null;
  currency: string;
  /** JSON array of `TierChangeReasonV1` (core: `churnReasonsOf` of `@clvlens/core/i18n`). */
  reasons: string;
  changed_at: Timestamp;
  /** The Shopify Flow outbox state (migration 0008). */
  flow_state: Generated<'pending' | 'sending' | 'sent' | 'rejected' | 'skipped'>;
  flow_attempts: Generated<number>;
  flow_sent_at: Timestamp | null;
  flow_error: string | null;
}

export interface SchemaMigrationsTable {
  version: string;
  applied_at: Generated<Date>;
}

/** The database as Kysely sees it. */
export interface DB {
  shops: ShopsTable;
  sessions: SessionsTable;
  orders: OrdersTable;
  order_refunds: OrderRefundsTable;
  deleted_orders: DeletedOrdersTable;
  customers: CustomersTable;
  customer_personal: CustomerPersonalTable;
  customer_insights: CustomerInsightsTable;
  recompute_queue: RecomputeQueueTable;
  shop_metrics: ShopMetricsTable;
  split_full_runs: SplitFullRunsTable;
  sync_state: SyncStateTable;
  webhook_deliveries: WebhookDeliveriesTable;
  data_request_exports: DataRequestExportsTable;
  pairing_codes: PairingCodesTable;
  extension_tokens: ExtensionTokensTable;
  quarantined_records: QuarantinedRecordsTable;
  shop_settings: ShopSettingsTable;
  data_imports: DataImportsTable;
  survey_responses: SurveyResponsesTable;
  marketing_spend: MarketingSpendTable;
  metafield_sync_state: MetafieldSyncStateTable;
  customer_metafield_writes: CustomerMetafieldWritesTable;
  customer_tier_changes: CustomerTierChangesTable;
  schema_migrations: SchemaMigrationsTable;
}
