import { GraphQLError, type GraphQLSchema, isObjectType, isInterfaceType, isUnionType, type GraphQLFieldResolver } from 'graphql';
import type { Customer, LineItem, MailingAddress, MarketingActivity, MoneyBag, Order, Refund, RefundLineItem, Shop } from '../shop-model/types.ts';
import { minorToDecimal, decimalToMinor } from '../shop-model/money.ts';
import { isoDateTime } from './clock.ts';
import { currentTotal, customerDisplayName, customerTotals, displayFinancialStatus, subtractBags, sumBags, totalRefunded } from './derived.ts';
import { parseGid, toGid } from './gid.ts';
import { CursorError, paginate, sortByKey, type Page, type PageArgs, type SortValue } from './pagination.ts';
import { compileSearch, type FieldSpec, type SearchWarning } from './search-query.ts';
import {
  CUSTOMER_SORT_VALUE,
  ORDER_SORT_VALUE,
  type BulkOperationRecord,
  type CustomerSortKey,
  type OrderSortKey,
  type ShopStore,
  type WebhookSubscriptionRecord,
} from './shop-store.ts';
import { enumToTopic, topicToEnum } from './topics.ts';
import {
  checkDefinition,
  checkSet,
  compareDigestOf,
  METAFIELDS_SET_MAX,
  resolveNamespace,
  type DefinitionInput,
  type MetafieldDefinitionRecord,
  type MetafieldRecord,
  type SetInput,
} from './metafields.ts';

/** Scopes of the calling access token and what they unlock. */
export interface CallerScopes {
  scopes: readonly string[];
}

/** What the resolvers need from the server around them. */
export interface GqlEnv {
  nowMs(): number;
  /** Numeric id of the calling app: `$app` namespaces resolve to `app--<appId>`. */
  appId: number;
  /** Public URL of a bulk operation's result file, or null when it has none. */
  bulkResultUrl(store: ShopStore, op: BulkOperationRecord): string | null;
  startBulkQuery(
    store: ShopStore,
    query: string,
    ctx: GqlContext,
  ): { op: BulkOperationRecord | null; userErrors: { field: string[] | null; message: string; code: string | null }[] };
  cancelBulkOperation(
    store: ShopStore,
    id: number,
  ): { op: BulkOperationRecord | null; userErrors: { field: string[] | null; message: string; code: string | null }[] };
  createSubscription(
    store: ShopStore,
    topic: string,
    input: { uri: string; includeFields: string[]; filter: string | null; format: 'JSON' },
    apiVersion: string,
  ): { sub: WebhookSubscriptionRecord | null; userErrors: { field: string[]; message: string }[] };
  deleteSubscription(store: ShopStore, id: number): boolean;
  /** Flow's checks and log of `flowTriggerReceive` (flow-triggers.ts); returns the userErrors. */
  receiveFlowTrigger(store: ShopStore, args: { handle?: string | null; payload?: unknown; body?: string | null }): { field: string[]; message: string }[];
}

/** The per-request context of a GraphQL execution. */
export interface GqlContext {
  env: GqlEnv;
  store: ShopStore;
  scopes: readonly string[];
  apiVersion: string;
  /** `extensions.search` entries collected while resolving. */
  search: { path: (string | number)[]; query: string; warnings: SearchWarning[] }[];
  /** Set while a bulk operation executes: root connections return exactly these items, nested ones return all. */
  bulk: { rootItems: readonly unknown[] } | null;
}

interface RefundSrc {
  refund: Refund;
  order: Order;
}
interface RefundLineSrc {
  rli: RefundLineItem;
  order: Order;
}

const MAX_PAGE_SIZE = 250;
const SIXTY_DAYS_MS = 60 * 86_400_000;

const dt = (ms: number): string => isoDateTime(ms);
const dtn = (ms: number | null): string | null => (ms === null ? null : isoDateTime(ms));

function requireScope(ctx: GqlContext, field: string, scope: string): void {
  const has = ctx.scopes.includes(scope) || ctx.scopes.includes(scope.replace(/^read_/, 'write_'));
  if (!has) {
    throw new GraphQLError(`Access denied for ${field} field. Required access: \`${scope}\` access scope.`, {
      extensions: {
        code: 'ACCESS_DENIED',
        documentation: 'https://shopify.dev/api/usage/access-scopes',
        requiredAccess: `\`${scope}\` access scope.`,
      },
    });
  }
}

function pageArgs(args: Record<string, unknown>, ctx: GqlContext, nested: boolean): PageArgs {
  const first = args['first'] as number | null | undefined;
  const last = args['last'] as number | null | undefined;
  if (ctx.bulk !== null && (first === undefined || first === null) && (last === undefined || last === null)) {
    return { reverse: (args['reverse'] as boolean | undefined) ?? false };
  }
  if ((first === undefined || first === null) && (last === undefined || last === null)) {
    throw new GraphQLError('you must provide one of first or last');
  }
  for (const [name, v] of [
    ['first', first],
    ['last', last],
  ] as const) {
    if (v !== undefined && v !== null && (v < 0 || v > MAX_PAGE_SIZE)) {
      throw new GraphQLError(`The maximum number of records that can be requested with ${name} is ${MAX_PAGE_SIZE}.`, {
        extensions: { code: 'BAD_REQUEST', argumentName: name },
      });
    }
  }
  void nested;
  return {
    first: first ?? null,
    last: last ?? null,
    after: (args['after'] as string | null | undefined) ?? null,
    before: (args['before'] as string | null | undefined) ?? null,
    reverse: (args['reverse'] as boolean | undefined) ?? false,
  };
}

function connectionOf<T>(page: Page<T>): unknown {
  return {
    edges: page.items.map((node, i) => ({ cursor: page.cursors[i], node })),
    nodes: page.items,
    pageInfo: {
      hasNextPage: page.hasNextPage,
      hasPreviousPage: page.hasPreviousPage,
      startCursor: page.cursors[0] ?? null,
      endCursor: page.cursors[page.cursors.length - 1] ?? null,
    },
  };
}

function runPage<T>(
  sorted: readonly T[],
  key: (x: T) => SortValue,
  id: (x: T) => number,
  matches: (x: T) => boolean,
  args: PageArgs,
  bounds?: [number, number],
): Page<T> {
  try {
    return paginate(sorted, key, id, matches, args, bounds);
  } catch (e) {
    if (e instanceof CursorError) throw new GraphQLError(e.message, { extensions: { code: 'BAD_REQUEST' } });
    throw e;
  }
}

/** Positional pagination over a short list (line items, refund lines) in stored order. */
function listConnection<T>(items: readonly T[], id: (x: T) => number, args: Record<string, unknown>, ctx: GqlContext): unknown {
  if (ctx.bulk !== null) {
    // Bulk results carry no cursors; skip building them for every nested line.
    return {
      edges: items.map((node) => ({ cursor: '', node })),
      nodes: items,
      pageInfo: { hasNextPage: false, hasPreviousPage: false, startCursor: null, endCursor: null },
    };
  }
  const pos = new Map<T, number>(items.map((x, i) => [x, i]));
  return connectionOf(
    runPage(
      items,
      (x) => pos.get(x) ?? 0,
      id,
      () => true,
      pageArgs(args, ctx, true),
    ),
  );
}

export const ORDER_SEARCH_FIELDS: Readonly<Record<string, FieldSpec<Order>>> = {
  created_at: { type: 'date', get: (o) => o.createdAtMs },
  updated_at: { type: 'date', get: (o) => o.updatedAtMs },
  processed_at: { type: 'date', get: (o) => o.processedAtMs },
  id: { type: 'number', get: (o) => o.id },
  customer_id: { type: 'number', get: (o) => o.customerId },
  email: { type: 'string', get: (o) => o.email },
  name: { type: 'string', get: (o) => o.name },
  source_name: { type: 'string', get: (o) => o.sourceName },
  test: { type: 'bool', get: (o) => o.test },
  tag: { type: 'strings', get: (o) => o.tags },
  financial_status: { type: 'string', get: (o) => displayFinancialStatus(o).toLowerCase() },
  status: {
    type: 'string',
    get: (o) => (o.cancelledAtMs !== null ? 'cancelled' : o.closedAtMs !== null ? 'closed' : 'open'),
  },
};

export const CUSTOMER_SEARCH_FIELDS: Readonly<Record<string, FieldSpec<Customer>>> = {
  created_at: { type: 'date', get: (c) => c.createdAtMs },
  updated_at: { type: 'date', get: (c) => c.updatedAtMs },
  id: { type: 'number', get: (c) => c.id },
  email: { type: 'string', get: (c) => c.email },
  first_name: { type: 'string', get: (c) => c.firstName },
  last_name: { type: 'string', get: (c) => c.lastName },
  phone: { type: 'string', get: (c) => c.phone },
  state: { type: 'string', get: (c) => c.state.toLowerCase() },
  tag: { type: 'strings', get: (c) => c.tags },
};

const SORT_FIELD_OF_ORDER_KEY: Partial<Record<OrderSortKey, string>> = {
  CREATED_AT: 'created_at',
  UPDATED_AT: 'updated_at',
  PROCESSED_AT: 'processed_at',
  ID: 'id',
};
const SORT_FIELD_OF_CUSTOMER_KEY: Partial<Record<CustomerSortKey, string>> = {
  CREATED_AT: 'created_at',
  UPDATED_AT: 'updated_at',
  ID: 'id',
};

/** What a root `orders` query selects: the sorted index, the filter and the key bounds. */
export function orderSelection(store: ShopStore, args: Record<string, unknown>, ctx: GqlContext, path: (string | number)[]) {
  requireScope(ctx, 'orders', 'read_orders');
  // Omitted, the schema's default applies (PROCESSED_AT, as on Shopify); an explicit null is read the same way.
  const requested = (args['sortKey'] as string | null | undefined) ?? 'PROCESSED_AT';
  const sortKey: OrderSortKey = requested in ORDER_SORT_VALUE ? (requested as OrderSortKey) : 'ID';
  const query = (args['query'] as string | null | undefined) ?? null;
  const search = compileSearch(
    query,
    ORDER_SEARCH_FIELDS,
    (o, text) => o.name.toLowerCase().includes(text) || (o.email?.toLowerCase().includes(text) ?? false),
    { timeZone: store.shop.ianaTimezone, nowMs: ctx.env.nowMs() },
  );
  if (query !== null && search.warnings.length > 0) ctx.search.push({ path, query, warnings: search.warnings });
  // Without read_all_orders only the last 60 days of orders are visible (Order object docs).
  const minCreated = ctx.scopes.includes('read_all_orders') ? -Infinity : ctx.env.nowMs() - SIXTY_DAYS_MS;
  const matches = minCreated === -Infinity ? search.matches : (o: Order) => o.createdAtMs >= minCreated && search.matches(o);
  const sortField = SORT_FIELD_OF_ORDER_KEY[sortKey];
  const bounds = sortField === undefined ? undefined : search.boundsOf(sortField);
  return { sorted: store.orderIndex(sortKey), key: ORDER_SORT_VALUE[sortKey], matches, bounds };
}

export function customerSelection(store: ShopStore, args: Record<string, unknown>, ctx: GqlContext, path: (string | number)[]) {
  requireScope(ctx, 'customers', 'read_customers');
  const requested = (args['sortKey'] as string | undefined) ?? 'ID';
  const sortKey: CustomerSortKey = requested in CUSTOMER_SORT_VALUE ? (requested as CustomerSortKey) : 'ID';
  const query = (args['query'] as string | null | undefined) ?? null;
  const search = compileSearch(
    query,
    CUSTOMER_SEARCH_FIELDS,
    (c, text) => (c.email?.toLowerCase().includes(text) ?? false) || customerDisplayName(c).toLowerCase().includes(text),
    { timeZone: store.shop.ianaTimezone, nowMs: ctx.env.nowMs() },
  );
  if (query !== null && search.warnings.length > 0) ctx.search.push({ path, query, warnings: search.warnings });
  const sortField = SORT_FIELD_OF_CUSTOMER_KEY[sortKey];
  const bounds = sortField === undefined ? undefined : search.boundsOf(sortField);
  return { sorted: store.customerIndex(sortKey), key: CUSTOMER_SORT_VALUE[sortKey], matches: search.matches, bounds };
}

function pathOf(info: { path: { key: string | number; prev: unknown } }): (string | number)[] {
  const out: (string | number)[] = [];
  let p: { key: string | number; prev: unknown } | undefined = info.path;
  while (p !== undefined) {
    out.unshift(p.key);
    p = p.prev as typeof p | undefined;
  }
  return out;
}

function bulkRoot(ctx: GqlContext): unknown {
  const items = ctx.bulk?.rootItems ?? [];
  return {
    edges: items.map((node) => ({ cursor: '', node })),
    nodes: items,
    pageInfo: { hasNextPage: false, hasPreviousPage: false, startCursor: null, endCursor: null },
  };
}

function tzInfo(timeZone: string, atMs: number): { abbreviation: string; offsetMinutes: number } {
  const parts = new Intl.DateTimeFormat('en-US', { timeZone, timeZoneName: 'short' }).formatToParts(new Date(atMs));
  const abbreviation = parts.find((p) => p.type === 'timeZoneName')?.value ?? 'UTC';
  const longParts = new Intl.DateTimeFormat('en-US', { timeZone, timeZoneName: 'longOffset' }).formatToParts(new Date(atMs));
  const off = longParts.find((p) => p.type === 'timeZoneName')?.value ?? 'GMT';
  const m = /GMT([+-])(\d{2}):(\d{2})/.exec(off);
  const offsetMinutes = m === null ? 0 : (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3]));
  return { abbreviation, offsetMinutes };
}

function lookupNode(ctx: GqlContext, gid: string): unknown {
  const parsed = parseGid(gid);
  if (parsed === null) {
    throw new GraphQLError(`Invalid global id '${gid}'`, { extensions: { code: 'argumentLiteralsIncompatible' } });
  }
  const { store } = ctx;
  switch (parsed.type) {
    case 'Order':
      requireScope(ctx, 'order', 'read_orders');
      return store.orders.get(parsed.id) ?? null;
    case 'Customer':
      requireScope(ctx, 'customer', 'read_customers');
      return store.customers.get(parsed.id) ?? null;
    case 'BulkOperation':
      return store.bulkOperations.find((b) => b.id === parsed.id) ?? null;
    case 'WebhookSubscription':
      return store.subscriptions.find((s) => s.id === parsed.id && s.source === 'shop') ?? null;
    case 'Shop':
      return parsed.id === store.shop.id ? store.shop : null;
    default:
      return null;
  }
}

function nodeTypeOf(x: object): string | undefined {
  if ('orderNumber' in x) return 'Order';
  if ('verifiedEmail' in x) return 'Customer';
  if ('rootObjectCount' in x) return 'BulkOperation';
  if ('topic' in x && 'uri' in x) return 'WebhookSubscription';
  if ('ianaTimezone' in x) return 'Shop';
  if ('adSpend' in x) return 'MarketingActivity';
  if ('startedAtMs' in x) return 'MarketingEvent';
  if ('ownerType' in x && 'validations' in x) return 'MetafieldDefinition';
  if ('ownerType' in x && 'value' in x) return 'Metafield';
  return undefined;
}

function bagTimes(b: MoneyBag, qty: number): MoneyBag {
  const s = decimalToMinor(b.shopMoney.amount, b.shopMoney.currencyCode) * qty;
  const p = decimalToMinor(b.presentmentMoney.amount, b.presentmentMoney.currencyCode) * qty;
  return {
    shopMoney: { amount: minorToDecimal(s, b.shopMoney.currencyCode), currencyCode: b.shopMoney.currencyCode },
    presentmentMoney: { amount: minorToDecimal(p, b.presentmentMoney.currencyCode), currencyCode: b.presentmentMoney.currencyCode },
  };
}

function zeroBag(o: Order): MoneyBag {
  return sumBags([], o.currencyCode, o.presentmentCurrencyCode);
}

const METAFIELD_TYPE_CATEGORY: Readonly<Record<string, string>> = {
  boolean: 'TRUE_FALSE',
  color: 'COLOR',
  date: 'DATE_TIME',
  date_time: 'DATE_TIME',
  json: 'JSON',
  money: 'MEASUREMENT',
  multi_line_text_field: 'TEXT',
  number_decimal: 'NUMBER',
  number_integer: 'NUMBER',
  rating: 'RATING',
  single_line_text_field: 'TEXT',
  url: 'URL',
};

function ownerKey(ownerType: string, ownerId: number): string {
  return `${ownerType}/${ownerId}`;
}

/** The owner's metafields the app may read: its own namespaces and unreserved ones, never another app's. */
function visibleMetafields(ctx: GqlContext, ownerType: string, ownerId: number): MetafieldRecord[] {
  const all = [...(ctx.store.metafields.get(ownerKey(ownerType, ownerId))?.values() ?? [])];
  return all.filter((m) => !/^app--\d+/.test(m.namespace) || m.namespace.startsWith(`app--${ctx.env.appId}`)).sort((a, b) => a.id - b.id);
}

function definitionOf(ctx: GqlContext, m: MetafieldRecord): MetafieldDefinitionRecord | null {
  return ctx.store.metafieldDefinitions.find((d) => d.ownerType === m.ownerType && d.namespace === m.namespace && d.key === m.key) ?? null;
}

function jsonValueOf(m: MetafieldRecord): unknown {
  switch (m.type) {
    case 'number_integer':
    case 'number_decimal':
      return Number(m.value);
    case 'boolean':
      return m.value === 'true';
    case 'json':
    case 'money':
    case 'rating':
      return JSON.parse(m.value) as unknown;
    default:
      return m.type.startsWith('list.') ? (JSON.parse(m.value) as unknown) : m.value;
  }
}

function requireCustomerWrite(ctx: GqlContext, field: string): void {
  if (!ctx.scopes.includes('write_customers')) {
    throw new GraphQLError(`Access denied for ${field} field. Required access: \`write_customers\` access scope.`, {
      extensions: { code: 'ACCESS_DENIED', documentation: 'https://shopify.dev/api/usage/access-scopes', requiredAccess: '`write_customers` access scope.' },
    });
  }
}

type Resolvers = Record<string, Record<string, GraphQLFieldResolver<any, GqlContext, any>>>;

const R: Resolvers = {
  QueryRoot: {
    shop: (_s, _a, ctx) => ctx.store.shop,
    currentAppInstallation: (_s, _a, ctx) => ({
      id: toGid('AppInstallation', ctx.store.shop.id),
      accessScopes: ctx.scopes.map((handle) => ({ handle, description: handle })),
    }),
    order: (_s, a: { id: string }, ctx) => {
      requireScope(ctx, 'order', 'read_orders');
      const p = parseGid(a.id);
      return p?.type === 'Order' ? (ctx.store.orders.get(p.id) ?? null) : null;
    },
    customer: (_s, a: { id: string }, ctx) => {
      requireScope(ctx, 'customer', 'read_customers');
      const p = parseGid(a.id);
      return p?.type === 'Customer' ? (ctx.store.customers.get(p.id) ?? null) : null;
    },
    orders: (_s, args, ctx, info) => {
      if (ctx.bulk !== null) return bulkRoot(ctx);
      const sel = orderSelection(ctx.store, args, ctx, pathOf(info));
      return connectionOf(runPage(sel.sorted, sel.key, (o) => o.id, sel.matches, pageArgs(args, ctx, false), sel.bounds));
    },
    customers: (_s, args, ctx, info) => {
      if (ctx.bulk !== null) return bulkRoot(ctx);
      const sel = customerSelection(ctx.store, args, ctx, pathOf(info));
      return connectionOf(runPage(sel.sorted, sel.key, (c) => c.id, sel.matches, pageArgs(args, ctx, false), sel.bounds));
    },
    ordersCount: (_s, args, ctx, info) => {
      const sel = orderSelection(ctx.store, args, ctx, pathOf(info));
      const limit = (args['limit'] as number | null | undefined) ?? null;
      let n = 0;
      for (const o of sel.sorted) if (sel.matches(o)) n++;
      return limit !== null && n > limit ? { count: limit, precision: 'AT_LEAST' } : { count: n, precision: 'EXACT' };
    },
    customersCount: (_s, args, ctx, info) => {
      const sel = customerSelection(ctx.store, args, ctx, pathOf(info));
      const limit = (args['limit'] as number | null | undefined) ?? null;
      let n = 0;
      for (const c of sel.sorted) if (sel.matches(c)) n++;
      return limit !== null && n > limit ? { count: limit, precision: 'AT_LEAST' } : { count: n, precision: 'EXACT' };
    },
    marketingActivities: (_s, args, ctx) => {
      requireScope(ctx, 'marketingActivities', 'read_marketing_events');
      const ids = new Set(((args['marketingActivityIds'] as string[] | null | undefined) ?? []).map((gid) => parseGid(gid)?.id));
      const sortKey = (args['sortKey'] as string | undefined) ?? 'CREATED_AT';
      const key = (a: MarketingActivity): SortValue => (sortKey === 'TITLE' ? a.title : sortKey === 'ID' ? a.id : a.createdAtMs);
      const sorted = sortByKey([...ctx.store.marketingActivities], key, (a) => a.id);
      return connectionOf(
        runPage(
          sorted,
          key,
          (a) => a.id,
          (a) => ids.size === 0 || ids.has(a.id),
          pageArgs(args, ctx, false),
        ),
      );
    },
    node: (_s, a: { id: string }, ctx) => lookupNode(ctx, a.id),
    nodes: (_s, a: { ids: string[] }, ctx) => a.ids.map((id) => lookupNode(ctx, id)),
    bulkOperation: (_s, a: { id: string }, ctx) => {
      const p = parseGid(a.id);
      return p?.type === 'BulkOperation' ? (ctx.store.bulkOperations.find((b) => b.id === p.id) ?? null) : null;
    },
    currentBulkOperation: (_s, a: { type?: string }, ctx) => {
      const type = a.type ?? 'QUERY';
      const ops = ctx.store.bulkOperations.filter((b) => b.type === type);
      return ops[ops.length - 1] ?? null;
    },
    webhookSubscription: (_s, a: { id: string }, ctx) => {
      const p = parseGid(a.id);
      return p?.type === 'WebhookSubscription' ? (ctx.store.subscriptions.find((s) => s.id === p.id && s.source === 'shop') ?? null) : null;
    },
    metafieldDefinitions: (_s, args, ctx) => {
      const ownerType = args['ownerType'] as string;
      if (ownerType === 'CUSTOMER') requireScope(ctx, 'metafieldDefinitions', 'read_customers');
      const ns = args['namespace'] as string | null | undefined;
      const namespace = ns === null || ns === undefined ? null : resolveNamespace(ns, ctx.env.appId);
      const key = (args['key'] as string | null | undefined) ?? null;
      const defs = ctx.store.metafieldDefinitions.filter(
        (d) =>
          d.ownerType === ownerType &&
          (namespace === null || d.namespace === namespace) &&
          (key === null || d.key === key) &&
          (!/^app--\d+/.test(d.namespace) || d.namespace.startsWith(`app--${ctx.env.appId}`)),
      );
      return connectionOf(
        runPage(
          defs,
          (d) => d.id,
          (d) => d.id,
          () => true,
          pageArgs(args, ctx, false),
        ),
      );
    },
    webhookSubscriptions: (_s, args, ctx) => {
      const topics = (args['topics'] as string[] | null | undefined) ?? null;
      const uri = (args['uri'] as string | null | undefined) ?? null;
      const subs = ctx.store.subscriptions.filter(
        (s) => s.source === 'shop' && (topics === null || topics.includes(topicToEnum(s.topic))) && (uri === null || s.uri === uri),
      );
      return connectionOf(
        runPage(
          subs,
          (s) => s.id,
          (s) => s.id,
          () => true,
          pageArgs(args, ctx, false),
        ),
      );
    },
  },
  Mutation: {
    flowTriggerReceive: (_s, a: { handle?: string | null; payload?: unknown; body?: string | null }, ctx) => ({
      userErrors: ctx.env.receiveFlowTrigger(ctx.store, a),
    }),
    bulkOperationRunQuery: (_s, a: { query: string }, ctx) => {
      const { op, userErrors } = ctx.env.startBulkQuery(ctx.store, a.query, ctx);
      return { bulkOperation: op, userErrors };
    },
    bulkOperationCancel: (_s, a: { id: string }, ctx) => {
      const p = parseGid(a.id);
      const { op, userErrors } = ctx.env.cancelBulkOperation(ctx.store, p?.type === 'BulkOperation' ? p.id : -1);
      return { bulkOperation: op, userErrors };
    },
    webhookSubscriptionCreate: (
      _s,
      a: { topic: string; webhookSubscription: { uri?: string | null; callbackUrl?: string | null; includeFields?: string[] | null; filter?: string | null } },
      ctx,
    ) => {
      const topic = enumToTopic(a.topic);
      const uri = a.webhookSubscription.uri ?? a.webhookSubscription.callbackUrl ?? null;
      if (topic === null) return { webhookSubscription: null, userErrors: [{ field: ['topic'], message: 'Topic is invalid' }] };
      if (uri === null) return { webhookSubscription: null, userErrors: [{ field: ['webhookSubscription', 'uri'], message: "Address can't be blank" }] };
      const { sub, userErrors } = ctx.env.createSubscription(
        ctx.store,
        topic,
        {
          uri,
          includeFields: a.webhookSubscription.includeFields ?? [],
          filter: a.webhookSubscription.filter ?? null,
          format: 'JSON',
        },
        ctx.apiVersion,
      );
      return { webhookSubscription: sub, userErrors };
    },
    metafieldDefinitionCreate: (_s, a: { definition: DefinitionInput }, ctx) => {
      if (a.definition.ownerType === 'CUSTOMER') requireCustomerWrite(ctx, 'metafieldDefinitionCreate');
      const checked = checkDefinition(a.definition, ctx.store.metafieldDefinitions, ctx.env.appId);
      if (!checked.ok) return { createdDefinition: null, userErrors: checked.errors };
      const pinned = ctx.store.metafieldDefinitions.filter((d) => d.ownerType === a.definition.ownerType && d.pinnedPosition !== null).length;
      const record: MetafieldDefinitionRecord = {
        ...checked.record,
        id: ctx.store.metafieldDefinitions.length + 1,
        createdAtMs: ctx.env.nowMs(),
        pinnedPosition: a.definition.pin === true ? pinned + 1 : null,
      };
      ctx.store.metafieldDefinitions.push(record);
      return { createdDefinition: record, userErrors: [] };
    },
    metafieldsSet: (_s, a: { metafields: SetInput[] }, ctx) => {
      if (a.metafields.length > METAFIELDS_SET_MAX) {
        throw new GraphQLError(`The input array size of ${a.metafields.length} is greater than the maximum allowed of ${METAFIELDS_SET_MAX}.`, {
          extensions: { code: 'MAX_INPUT_SIZE_EXCEEDED' },
        });
      }
      if (a.metafields.some((m) => parseGid(m.ownerId)?.type === 'Customer')) requireCustomerWrite(ctx, 'metafieldsSet');
      const { store } = ctx;
      const checked = checkSet(a.metafields, {
        appId: ctx.env.appId,
        owner: (gid) => {
          const p = parseGid(gid);
          return p?.type === 'Customer' && store.customers.has(p.id) ? { ownerType: 'CUSTOMER', id: p.id } : null;
        },
        definition: (ownerType, namespace, key) =>
          store.metafieldDefinitions.find((d) => d.ownerType === ownerType && d.namespace === namespace && d.key === key),
        current: (ownerType, ownerId, namespace, key) => store.metafields.get(ownerKey(ownerType, ownerId))?.get(`${namespace}.${key}`),
      });
      // Atomic, as documented: with any error nothing is written.
      if (!checked.ok) return { metafields: null, userErrors: checked.errors };
      const now = ctx.env.nowMs();
      const written = checked.sets.map((set) => {
        const okey = ownerKey(set.ownerType, set.ownerId);
        let byOwner = store.metafields.get(okey);
        if (byOwner === undefined) store.metafields.set(okey, (byOwner = new Map()));
        const k = `${set.namespace}.${set.key}`;
        const prev = byOwner.get(k);
        const rec: MetafieldRecord =
          prev === undefined
            ? { id: store.nextMetafieldId++, ...set, createdAtMs: now, updatedAtMs: now }
            : { ...prev, type: set.type, value: set.value, updatedAtMs: prev.value === set.value ? prev.updatedAtMs : now };
        byOwner.set(k, rec);
        return rec;
      });
      return { metafields: written, userErrors: [] };
    },
    metafieldsDelete: (_s, a: { metafields: { ownerId: string; namespace: string; key: string }[] }, ctx) => {
      if (a.metafields.some((m) => parseGid(m.ownerId)?.type === 'Customer')) requireCustomerWrite(ctx, 'metafieldsDelete');
      // A metafield that does not exist is not an error: its entry in the answer is null (the mutation's reference).
      const deletedMetafields = a.metafields.map((m) => {
        const p = parseGid(m.ownerId);
        const namespace = resolveNamespace(m.namespace, ctx.env.appId);
        if (p?.type !== 'Customer' || (/^app--\d+/.test(namespace) && !namespace.startsWith(`app--${ctx.env.appId}`))) return null;
        const byOwner = ctx.store.metafields.get(ownerKey('CUSTOMER', p.id));
        return byOwner?.delete(`${namespace}.${m.key}`) ? { ownerId: m.ownerId, namespace, key: m.key } : null;
      });
      return { deletedMetafields, userErrors: [] };
    },
    webhookSubscriptionDelete: (_s, a: { id: string }, ctx) => {
      const p = parseGid(a.id);
      const ok = p?.type === 'WebhookSubscription' && ctx.env.deleteSubscription(ctx.store, p.id);
      return ok
        ? { deletedWebhookSubscriptionId: a.id, userErrors: [] }
        : { deletedWebhookSubscriptionId: null, userErrors: [{ field: ['id'], message: 'Webhook subscription does not exist' }] };
    },
  },
  Shop: {
    id: (s: Shop) => toGid('Shop', s.id),
    myshopifyDomain: (s: Shop) => s.domain,
    url: (s: Shop) => `https://${s.domain}`,
    enabledPresentmentCurrencies: (s: Shop, _a, ctx) => {
      const set = new Set<string>([s.currencyCode]);
      for (const o of ctx.store.orders.values()) set.add(o.presentmentCurrencyCode);
      return [...set].sort();
    },
    timezoneAbbreviation: (s: Shop, _a, ctx) => tzInfo(s.ianaTimezone, ctx.env.nowMs()).abbreviation,
    timezoneOffsetMinutes: (s: Shop, _a, ctx) => tzInfo(s.ianaTimezone, ctx.env.nowMs()).offsetMinutes,
    timezoneOffset: (s: Shop, _a, ctx) => {
      const m = tzInfo(s.ianaTimezone, ctx.env.nowMs()).offsetMinutes;
      const a = Math.abs(m);
      return `${m < 0 ? '-' : '+'}${String(Math.floor(a / 60)).padStart(2, '0')}${String(a % 60).padStart(2, '0')}`;
    },
    plan: (s: Shop) => ({
      displayName: s.plan.name,
      publicDisplayName: s.plan.name,
      partnerDevelopment: false,
      shopifyPlus: s.plan.name === 'Plus' || s.plan.name === 'Enterprise',
    }),
    createdAt: (s: Shop) => dt(s.createdAtMs),
    updatedAt: (s: Shop) => dt(s.createdAtMs),
  },
  MailingAddress: {
    id: (a: MailingAddress & { __id?: number }) => toGid('MailingAddress', a.__id ?? 1),
    name: (a: MailingAddress) => [a.firstName, a.lastName].filter((x) => x !== null && x !== '').join(' ') || null,
    countryCodeV2: (a: MailingAddress) => a.countryCode,
  },
  MarketingActivity: {
    id: (a: MarketingActivity) => toGid('MarketingActivity', a.id),
    createdAt: (a: MarketingActivity) => dt(a.createdAtMs),
    updatedAt: (a: MarketingActivity) => dt(a.updatedAtMs),
    marketingEvent: (a: MarketingActivity) => a.event,
  },
  MarketingEvent: {
    id: (e: NonNullable<MarketingActivity['event']>) => toGid('MarketingEvent', e.id),
    startedAt: (e: NonNullable<MarketingActivity['event']>) => dt(e.startedAtMs),
    endedAt: (e: NonNullable<MarketingActivity['event']>) => (e.endedAtMs === null ? null : dt(e.endedAtMs)),
  },
  Customer: {
    id: (c: Customer) => toGid('Customer', c.id),
    legacyResourceId: (c: Customer) => String(c.id),
    defaultEmailAddress: (c: Customer) => (c.email === null ? null : { emailAddress: c.email }),
    defaultPhoneNumber: (c: Customer) => (c.phone === null ? null : { phoneNumber: c.phone }),
    displayName: (c: Customer) => customerDisplayName(c),
    createdAt: (c: Customer) => dt(c.createdAtMs),
    updatedAt: (c: Customer) => dt(c.updatedAtMs),
    numberOfOrders: (c: Customer, _a, ctx) => String(customerTotals(ctx.store.ordersOf(c.id), ctx.store.shop.currencyCode).numberOfOrders),
    amountSpent: (c: Customer, _a, ctx) => {
      const cur = ctx.store.shop.currencyCode;
      return { amount: minorToDecimal(customerTotals(ctx.store.ordersOf(c.id), cur).amountSpentMinor, cur), currencyCode: cur };
    },
    lastOrder: (c: Customer, _a, ctx) => customerTotals(ctx.store.ordersOf(c.id), ctx.store.shop.currencyCode).lastOrder,
    metafield: (c: Customer, a: { key: string; namespace?: string | null }, ctx) => {
      const namespace = resolveNamespace(a.namespace, ctx.env.appId);
      return visibleMetafields(ctx, 'CUSTOMER', c.id).find((m) => m.namespace === namespace && m.key === a.key) ?? null;
    },
    metafields: (c: Customer, args, ctx) => {
      const ns = args['namespace'] as string | null | undefined;
      const namespace = ns === null || ns === undefined ? null : resolveNamespace(ns, ctx.env.appId);
      // \`keys\` are "namespace.key" strings.
      const keys = (args['keys'] as string[] | null | undefined) ?? null;
      const list = visibleMetafields(ctx, 'CUSTOMER', c.id).filter(
        (m) =>
          (namespace === null || m.namespace === namespace) &&
          (keys === null ||
            keys.some((k) => resolveNamespace(k.slice(0, k.lastIndexOf('.')), ctx.env.appId) === m.namespace && k.slice(k.lastIndexOf('.') + 1) === m.key)),
      );
      return connectionOf(
        runPage(
          list,
          (m) => m.id,
          (m) => m.id,
          () => true,
          pageArgs(args, ctx, true),
        ),
      );
    },
    orders: (c: Customer, args, ctx) => {
      requireScope(ctx, 'orders', 'read_orders');
      const list = ctx.store.ordersOf(c.id);
      const sortKey = ((args['sortKey'] as string | undefined) ?? 'ID') as OrderSortKey;
      const key = ORDER_SORT_VALUE[sortKey] ?? ORDER_SORT_VALUE.ID;
      const sorted = sortByKey([...list], key, (o) => o.id);
      return connectionOf(
        runPage(
          sorted,
          key,
          (o) => o.id,
          () => true,
          pageArgs(args, ctx, true),
        ),
      );
    },
  },
  Order: {
    id: (o: Order) => toGid('Order', o.id),
    legacyResourceId: (o: Order) => String(o.id),
    createdAt: (o: Order) => dt(o.createdAtMs),
    processedAt: (o: Order) => dt(o.processedAtMs),
    updatedAt: (o: Order) => dt(o.updatedAtMs),
    cancelledAt: (o: Order) => dtn(o.cancelledAtMs),
    closedAt: (o: Order) => dtn(o.closedAtMs),
    closed: (o: Order) => o.closedAtMs !== null,
    confirmed: () => true,
    currentSubtotalPriceSet: (o: Order) => subtractBags(o.subtotalPriceSet, totalRefunded(o)),
    currentTotalPriceSet: (o: Order) => currentTotal(o),
    currentShippingPriceSet: (o: Order) => o.totalShippingPriceSet,
    currentTotalTaxSet: (o: Order) => o.totalTaxSet,
    currentTotalDiscountsSet: (o: Order) => o.totalDiscountsSet,
    totalRefundedSet: (o: Order) => totalRefunded(o),
    netPaymentSet: (o: Order) => currentTotal(o),
    displayFinancialStatus: (o: Order) => displayFinancialStatus(o),
    displayFulfillmentStatus: (o: Order) => o.fulfillmentStatus,
    fullyPaid: (o: Order) => ['PAID', 'PARTIALLY_REFUNDED', 'REFUNDED'].includes(o.financialStatus),
    customer: (o: Order, _a, ctx) => (o.customerId === null ? null : (ctx.store.customers.get(o.customerId) ?? null)),
    discountCode: (o: Order) => o.discountCodes[0]?.code ?? null,
    discountCodes: (o: Order) => o.discountCodes.map((d) => d.code),
    billingAddress: (o: Order) => (o.billingAddress === null ? null : { ...o.billingAddress, __id: o.id * 10 + 1 }),
    shippingAddress: (o: Order) => (o.shippingAddress === null ? null : { ...o.shippingAddress, __id: o.id * 10 + 2 }),
    subtotalLineItemsQuantity: (o: Order) => o.lineItems.reduce((n, li) => n + li.quantity, 0),
    currentSubtotalLineItemsQuantity: (o: Order) => o.lineItems.reduce((n, li) => n + li.currentQuantity, 0),
    lineItems: (o: Order, args, ctx) => listConnection(o.lineItems, (li) => li.id, args, ctx),
    refunds: (o: Order, a: { first?: number | null }) => o.refunds.slice(0, a.first ?? o.refunds.length).map((refund): RefundSrc => ({ refund, order: o })),
    shippingLine: (o: Order) => o.shippingLine,
  },
  LineItem: {
    id: (li: LineItem) => toGid('LineItem', li.id),
    name: (li: LineItem) => (li.variantTitle === null ? li.title : `${li.title} - ${li.variantTitle}`),
    refundableQuantity: (li: LineItem) => li.currentQuantity,
    discountedUnitPriceSet: (li: LineItem) => {
      const total = subtractBags(bagTimes(li.originalUnitPriceSet, li.quantity), li.totalDiscountSet);
      const q = Math.max(1, li.quantity);
      const s = Math.round(decimalToMinor(total.shopMoney.amount, total.shopMoney.currencyCode) / q);
      const p = Math.round(decimalToMinor(total.presentmentMoney.amount, total.presentmentMoney.currencyCode) / q);
      return {
        shopMoney: { amount: minorToDecimal(s, total.shopMoney.currencyCode), currencyCode: total.shopMoney.currencyCode },
        presentmentMoney: { amount: minorToDecimal(p, total.presentmentMoney.currencyCode), currencyCode: total.presentmentMoney.currencyCode },
      };
    },
    originalTotalSet: (li: LineItem) => bagTimes(li.originalUnitPriceSet, li.quantity),
    discountedTotalSet: (li: LineItem) => subtractBags(bagTimes(li.originalUnitPriceSet, li.quantity), li.totalDiscountSet),
    product: (li: LineItem) =>
      li.productId === null ? null : { id: toGid('Product', li.productId), legacyResourceId: String(li.productId), title: li.title, vendor: li.vendor ?? '' },
    variant: (li: LineItem) =>
      li.variantId === null
        ? null
        : {
            id: toGid('ProductVariant', li.variantId),
            legacyResourceId: String(li.variantId),
            title: li.variantTitle ?? 'Default Title',
            sku: li.sku,
            displayName: `${li.title} - ${li.variantTitle ?? 'Default Title'}`,
          },
    sellingPlan: (li: LineItem) => (li.sellingPlanName === null ? null : { name: li.sellingPlanName, sellingPlanId: null }),
  },
  Refund: {
    id: (r: RefundSrc) => toGid('Refund', r.refund.id),
    legacyResourceId: (r: RefundSrc) => String(r.refund.id),
    createdAt: (r: RefundSrc) => dt(r.refund.createdAtMs),
    updatedAt: (r: RefundSrc) => dt(r.refund.processedAtMs),
    note: (r: RefundSrc) => r.refund.note,
    totalRefundedSet: (r: RefundSrc) => r.refund.totalRefundedSet,
    order: (r: RefundSrc) => r.order,
    refundLineItems: (r: RefundSrc, args, ctx) =>
      listConnection(
        r.refund.refundLineItems.map((rli): RefundLineSrc => ({ rli, order: r.order })),
        (x) => x.rli.id,
        args,
        ctx,
      ),
  },
  RefundLineItem: {
    id: (x: RefundLineSrc) => toGid('RefundLineItem', x.rli.id),
    quantity: (x: RefundLineSrc) => x.rli.quantity,
    restockType: (x: RefundLineSrc) => x.rli.restockType,
    restocked: (x: RefundLineSrc) => x.rli.restockType !== 'NO_RESTOCK',
    lineItem: (x: RefundLineSrc) => x.order.lineItems.find((li) => li.id === x.rli.lineItemId),
    subtotalSet: (x: RefundLineSrc) => x.rli.subtotalSet,
    totalTaxSet: (x: RefundLineSrc) => x.rli.totalTaxSet,
    priceSet: (x: RefundLineSrc) => x.order.lineItems.find((li) => li.id === x.rli.lineItemId)?.originalUnitPriceSet ?? zeroBag(x.order),
  },
  Metafield: {
    id: (m: MetafieldRecord) => toGid('Metafield', m.id),
    legacyResourceId: (m: MetafieldRecord) => String(m.id),
    jsonValue: (m: MetafieldRecord) => jsonValueOf(m),
    compareDigest: (m: MetafieldRecord) => compareDigestOf(m),
    owner: (m: MetafieldRecord, _a, ctx) => ctx.store.customers.get(m.ownerId) ?? null,
    definition: (m: MetafieldRecord, _a, ctx) => definitionOf(ctx, m),
    createdAt: (m: MetafieldRecord) => dt(m.createdAtMs),
    updatedAt: (m: MetafieldRecord) => dt(m.updatedAtMs),
  },
  MetafieldDefinition: {
    id: (d: MetafieldDefinitionRecord) => toGid('MetafieldDefinition', d.id),
    type: (d: MetafieldDefinitionRecord) => ({ name: d.type, category: METAFIELD_TYPE_CATEGORY[d.type] ?? 'TEXT', supportedValidations: [] }),
    validations: (d: MetafieldDefinitionRecord) =>
      d.validations.map((v) => ({ name: v.name, value: v.value, type: v.name === 'choices' ? 'list.single_line_text_field' : d.type })),
    capabilities: (d: MetafieldDefinitionRecord) => ({
      adminFilterable: { eligible: true, enabled: d.capabilities.adminFilterable, status: d.capabilities.adminFilterable ? 'FILTERABLE' : 'NOT_FILTERABLE' },
      smartCollectionCondition: { eligible: false, enabled: d.capabilities.smartCollectionCondition },
    }),
    metafieldsCount: (d: MetafieldDefinitionRecord, _a, ctx) => {
      let n = 0;
      for (const [owner, byOwner] of ctx.store.metafields) if (owner.startsWith(`${d.ownerType}/`) && byOwner.has(`${d.namespace}.${d.key}`)) n++;
      return n;
    },
  },
  BulkOperation: {
    id: (b: BulkOperationRecord) => toGid('BulkOperation', b.id),
    createdAt: (b: BulkOperationRecord) => dt(b.createdAtMs),
    completedAt: (b: BulkOperationRecord) => dtn(b.completedAtMs),
    objectCount: (b: BulkOperationRecord) => String(b.objectCount),
    rootObjectCount: (b: BulkOperationRecord) => String(b.rootObjectCount),
    fileSize: (b: BulkOperationRecord) => (b.fileSize === null ? null : String(b.fileSize)),
    url: (b: BulkOperationRecord, _a, ctx) => ctx.env.bulkResultUrl(ctx.store, b),
    partialDataUrl: () => null,
  },
  WebhookSubscription: {
    id: (s: WebhookSubscriptionRecord) => toGid('WebhookSubscription', s.id),
    legacyResourceId: (s: WebhookSubscriptionRecord) => String(s.id),
    topic: (s: WebhookSubscriptionRecord) => topicToEnum(s.topic),
    callbackUrl: (s: WebhookSubscriptionRecord) => s.uri,
    endpoint: (s: WebhookSubscriptionRecord) => ({ __typename: 'WebhookHttpEndpoint', callbackUrl: s.uri }),
    createdAt: (s: WebhookSubscriptionRecord) => dt(s.createdAtMs),
    updatedAt: (s: WebhookSubscriptionRecord) => dt(s.updatedAtMs),
  },
};

/** Installs the resolvers on a schema built from the SDL (fields without one read the same-named property). */
export function attachResolvers(schema: GraphQLSchema): void {
  for (const type of Object.values(schema.getTypeMap())) {
    if (isObjectType(type)) {
      const fields = type.getFields();
      const map = R[type.name];
      if (map === undefined) continue;
      for (const [name, fn] of Object.entries(map)) {
        const field = fields[name];
        if (field === undefined) throw new Error(`resolver for unknown field ${type.name}.${name}`);
        (field as { resolve?: unknown }).resolve = fn;
      }
    } else if (isInterfaceType(type) && type.name === 'Node') {
      (type as unknown as { resolveType: (x: object) => string | undefined }).resolveType = nodeTypeOf;
    } else if (isInterfaceType(type) && type.name === 'HasMetafields') {
      // Only customers carry metafields in the fake.
      (type as unknown as { resolveType: () => string }).resolveType = () => 'Customer';
    } else if (isUnionType(type) && type.name === 'WebhookSubscriptionEndpoint') {
      (type as unknown as { resolveType: () => string }).resolveType = () => 'WebhookHttpEndpoint';
    }
  }
}
