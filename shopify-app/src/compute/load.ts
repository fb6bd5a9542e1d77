import type { OrderRecord } from '@clvlens/core';
import { sql, type Kysely, type RawBuilder } from 'kysely';
import type pg from 'pg';
import { to as copyTo } from 'pg-copy-streams';
import type { DB } from '../db/schema.ts';

/**
 * Orders (and refunded orders) read per query when loading a whole shop: each query holds the thread while PGlite
 * runs it, so a page is the longest wait a webhook can see during the load.
 */
const PAGE = 25_000;

/**
 * Every stored order of the shop as core's `OrderRecord`, or with `customerIds` only those customers' orders. The
 * refunded total is the order payload's (shop money); the stored refunds add their dates for refund-date
 * attribution. Guest orders carry their hashed email key in `email`, so guests are still told apart without the app
 * keeping their address. A whole shop is read in pages of {@link PAGE} orders: on the embedded database every query
 * holds its one connection, and pages let webhooks and API reads in between instead of waiting for a million rows.
 * Each page comes back as one text of comma-separated lines: PGlite hands over rows one by one slowly, and one text
 * per page loads 200,000 orders in 0.7 s instead of 3.6 s (measured on PGlite in memory).
 */
export async function loadOrderRecords(
  db: Kysely<DB>,
  shop: string,
  options: {
    customerIds?: readonly string[];
    /** Only the orders of the customers with an id in (after, upTo] (a bucket of a split full run, split-run.ts). */
    customerRange?: CustomerRange;
    /** Only the orders of guests and of customers with an id outside (after, upTo] (the last part of prepared-shop.ts). */
    outsideRange?: CustomerRange;
    /** Orders per query; default {@link PAGE}. */ pageSize?: number;
  } = {},
): Promise<OrderRecord[]> {
  const some = customersOf(options);
  if (some) return loadSomeOrderRecords(db, shop, some);
  const pageSize = options.pageSize ?? PAGE;
  const refunds = await loadRefunds(db, shop, pageSize);
  const records: OrderRecord[] = [];
  for (let after = '0'; ;) {
    // Ids, times and amounts are integers, the guest key is hex and the currency three letters: no commas inside.
    const { rows } = await sql<{ lines: string | null; last: string | null; n: number }>`
      SELECT string_agg(${ORDER_LINE}, E'\n' ORDER BY order_id) AS lines, max(order_id)::text AS last, count(*)::int AS n
      FROM (SELECT * FROM orders WHERE shop_id = ${shop} AND order_id > ${after}::bigint ORDER BY order_id LIMIT ${pageSize}) o`.execute(db);
    const { lines, last, n } = rows[0]!;
    if (lines) for (const line of lines.split('\n')) records.push(toRecord(line, refunds));
    if (Number(n) < pageSize) return records;
    after = last ?? after;
    // A PGlite query settles as a microtask: without this the whole load is one turn of the event loop.
    await new Promise((resolve) => setImmediate(resolve));
  }
}

/**
 * A stored time as epoch ms. `date_part` works in double precision where `extract` (numeric since PostgreSQL 14) does
 * decimal arithmetic: a bucket's read of 1,100,000 orders with their refunds took 3.39-3.44 s of PostgreSQL's time
 * instead of 3.62-3.65 s (warm, alternating), and a large shop's full run reads every order twice. The app stores whole
 * milliseconds, which a double holds exactly enough to round back (the same values for every order and refund of a
 * 10,000,000-order shop).
 */
const MS_SINCE_EPOCH = (column: string) => `(date_part('epoch', ${column}) * 1000)::bigint`;

/** One order as a line of comma-separated fields (`o` the orders row), as {@link toRecord} reads it. */
const ORDER_LINE_SQL = `concat_ws(',', o.order_id, coalesce(o.customer_id::text, ''), coalesce(o.guest_key, ''),
  ${MS_SINCE_EPOCH('o.placed_at')}, o.currency, o.total_minor, o.refunded_minor,
  o.cancelled::int, o.test::int, o.subscription::int)`;
const ORDER_LINE = sql.raw(ORDER_LINE_SQL);

/** An order's stored refunds as `ms:amount;ms:amount` in date order (`r` the refunds rows), {@link toRecord}'s eleventh field. */
const REFUND_LIST_SQL = `string_agg(${MS_SINCE_EPOCH('r.refunded_at')} || ':' || r.amount_minor, ';' ORDER BY r.refunded_at, r.refund_id)`;

/**
 * Some customers' orders with their refunds, in one query. The orders are read first (a materialized CTE); their
 * refunds are then looked up in one index scan of `order_refunds` by `(shop_id, order_id) = ANY(those orders)`, and
 * come as an eleventh field `ms:amount;ms:amount` in date order, so the cost follows the orders read, not the shop.
 * Before, a second query read the refunds `WHERE order_id IN (the customers' orders)`, and PostgreSQL joined them by
 * hashing a scan of every refund of the shop: 21 ms a bucket chunk at 1,000,000 orders, 607 ms at 10,000,000. Then a
 * lateral subquery aggregated each order's refunds beside it: an index scan and an aggregate for every order, most of
 * which have no refund, which was half of this query's time (a 33,000-order chunk: 310-430 ms, 230-370 ms now, 175-245
 * ms for the orders alone; a webhook's 450 orders: 4.1 ms in the webhook bench).
 */
async function loadSomeOrderRecords(db: Kysely<DB>, shop: string, some: RawBuilder<unknown>): Promise<OrderRecord[]> {
  const { rows } = await sql<{ lines: string | null }>`
    WITH o AS MATERIALIZED (SELECT * FROM orders WHERE shop_id = ${shop} AND ${some}),
    rf AS (
      SELECT r.order_id, ${sql.raw(REFUND_LIST_SQL)} AS list FROM order_refunds r
      WHERE r.shop_id = ${shop} AND r.order_id = ANY(ARRAY(SELECT order_id FROM o))
      GROUP BY r.order_id
    )
    SELECT string_agg(concat_ws(',', ${ORDER_LINE}, rf.list), E'\n' ORDER BY o.order_id) AS lines
    FROM o LEFT JOIN rf ON rf.order_id = o.order_id`.execute(db);
  const lines = rows[0]!.lines;
  return lines ? lines.split('\n').map((line) => toRecord(line)) : [];
}

type Refund = { refundedAtMs: number; amountMinor: number };

/**
 * The stored refunds (date and amount) per order id, in date order, of the whole shop: {@link PAGE} refunded orders
 * per query, as one text per page and with the event loop free in between, as its orders do: a 1,000,000-order shop
 * has about 100,000 refunds, and one result set of them held the thread for most of a second.
 */
async function loadRefunds(db: Kysely<DB>, shop: string, pageSize: number): Promise<Map<string, Refund[]>> {
  const byOrder = new Map<string, Refund[]>();
  for (let after = '0'; ;) {
    // Whole orders per page (every refund of an order in the same page), so the next page starts after the last order.
    const { rows } = await sql<{ lines: string | null; last: string | null; n: number }>`
      SELECT string_agg(concat_ws(',', r.order_id, ${sql.raw(MS_SINCE_EPOCH('r.refunded_at'))}, r.amount_minor), E'\n'
               ORDER BY r.order_id, r.refunded_at, r.refund_id) AS lines,
             max(r.order_id)::text AS last, count(DISTINCT r.order_id)::int AS n
      FROM order_refunds r WHERE r.shop_id = ${shop} AND r.order_id IN (
        SELECT DISTINCT order_id FROM order_refunds WHERE shop_id = ${shop} AND order_id > ${after}::bigint ORDER BY order_id LIMIT ${pageSize})`.execute(db);
    const { lines, last, n } = rows[0]!;
    if (lines) {
      for (const line of lines.split('\n')) {
        const [id, refundedMs, amount] = line.split(',') as [string, string, string];
        let list = byOrder.get(id);
        if (!list) byOrder.set(id, (list = []));
        list.push({ refundedAtMs: Number(refundedMs), amountMinor: Number(amount) });
      }
    }
    if (Number(n) < pageSize) return byOrder;
    after = last ?? after;
    await new Promise((resolve) => setImmediate(resolve));
  }
}

/** Customer ids in (after, upTo], as decimal strings (Shopify's numeric ids; bigint in the database). */
export interface CustomerRange {
  after: string;
  upTo: string;
}

/** The condition on `orders` that picks some customers' orders, or null for the whole shop. */
function customersOf(options: { customerIds?: readonly string[]; customerRange?: CustomerRange; outsideRange?: CustomerRange }): RawBuilder<unknown> | null {
  if (options.customerIds) return sql`customer_id = ANY(${[...options.customerIds]}::bigint[])`;
  if (options.customerRange) return sql`customer_id > ${options.customerRange.after}::bigint AND customer_id <= ${options.customerRange.upTo}::bigint`;
  // Three conditions the (shop_id, customer_id) index answers each, rather than a NOT that would scan the shop.
  if (options.outsideRange) {
    return sql`(customer_id IS NULL OR customer_id <= ${options.outsideRange.after}::bigint OR customer_id > ${options.outsideRange.upTo}::bigint)`;
  }
  return null;
}

/** One part of a customer range's orders ({@link customerParts}): whole customers, in id order. */
export interface CustomerPart {
  /** The ids this part covers, (after, upTo]: the parts of a range follow each other, and the last ends at the range's end. */
  range: CustomerRange;
  /** The part's customers with a stored order, ids ascending. */
  customerIds: string[];
  /** Their orders with their refunds, in order id order, as {@link loadOrderRecords} reads them. */
  records: OrderRecord[];
}

/**
 * The orders of the customers with an id in `range`, `customersPerPart` customers at a time, ascending: a large range's
 * records are never in memory together. Always at least one part; the last one's range ends at `range.upTo`.
 *
 * On PostgreSQL (`pool` given) the range is one statement, `COPY (... ORDER BY customer_id, order_id) TO STDOUT`,
 * cut into parts as it streams in: the server scans the orders once in table order and sorts them, and each order's
 * refunds come from one hash of the shop's refunds. Reading a part at a time instead (an index range each) fetches a
 * table page once for every order on it, since a customer's orders are spread over the years the table was filled:
 * on a 10,000,000-order shop a bucket of 1,033,619 orders took 14.7-15.8 s of the machine's CPU that way, against 7.2 s
 * as one sorted statement (measured 2026-12-05, 2-core AMD EPYC, PostgreSQL 15). `serial` turns off parallel workers
 * for the statement: a bucket runs beside other buckets, where workers only add their own copies of the refunds'
 * hash (12.9 s of CPU for the same bucket with two workers).
 *
 * On the embedded database, which runs one statement at a time and would hold its one connection for the whole
 * range, each part is a short read of its own through the (shop_id, customer_id) index.
 */
export async function* customerParts(
  source: { db: Kysely<DB>; pool?: pg.Pool | null | undefined },
  shop: string,
  range: CustomerRange,
  customersPerPart: number,
  options: { serial?: boolean } = {},
): AsyncGenerator<CustomerPart> {
  if (!Number.isInteger(customersPerPart) || customersPerPart < 1)
    throw new RangeError(`customersPerPart must be a positive integer, got ${customersPerPart}.`);
  if (!source.pool) {
    yield* readParts(source.db, shop, range, customersPerPart);
    return;
  }
  const { after, upTo } = idLiterals(range);
  yield* streamedParts(source.pool, shop, `o.customer_id > ${after} AND o.customer_id <= ${upTo}`, range, customersPerPart, options.serial === true);
}

/**
 * The orders of guests and of customers with an id outside `range` (the last part of prepared-shop.ts), as
 * {@link loadOrderRecords} with `outsideRange` reads them; on PostgreSQL through the statement of
 * {@link customerParts}, each order's refunds from one hash of the shop's rather than an index probe each (11.3 s
 * for the 1,731,000 such orders of a 10,000,000-order shop that way).
 */
export async function ordersOutside(source: { db: Kysely<DB>; pool?: pg.Pool | null | undefined }, shop: string, range: CustomerRange): Promise<OrderRecord[]> {
  if (!source.pool) return loadOrderRecords(source.db, shop, { outsideRange: range });
  const { after, upTo } = idLiterals(range);
  const condition = `(o.customer_id IS NULL OR o.customer_id <= ${after} OR o.customer_id > ${upTo})`;
  const records: OrderRecord[] = [];
  for await (const part of streamedParts(source.pool, shop, condition, range, Number.POSITIVE_INFINITY, false)) {
    for (const record of part.records) records.push(record);
  }
  return records;
}

/** A range's ends as SQL literals: COPY takes no parameters, so the ids are checked as integers (the shop is quoted). */
function idLiterals(range: CustomerRange): CustomerRange {
  return { after: BigInt(range.after).toString(), upTo: BigInt(range.upTo).toString() };
}

/**
 * {@link customerParts} on PostgreSQL: one sorted COPY of the shop's orders that match `condition` (SQL on `o`, with
 * literals only), cut into parts of `perPart` customers as it streams in.
 */
async function* streamedParts(
  pool: pg.Pool,
  shop: string,
  condition: string,
  range: CustomerRange,
  perPart: number,
  serial: boolean,
): AsyncGenerator<CustomerPart> {
  const client = await pool.connect();
  const shopLiteral = client.escapeLiteral(shop);
  let healthy = false;
  try {
    await client.query('BEGIN');
    if (serial) await client.query('SET LOCAL max_parallel_workers_per_gather = 0');
    const stream = client.query(
      copyTo(`COPY (
        SELECT concat_ws(',', ${ORDER_LINE_SQL}, rf.list)
        FROM orders o
        LEFT JOIN (SELECT r.order_id, ${REFUND_LIST_SQL} AS list FROM order_refunds r WHERE r.shop_id = ${shopLiteral} GROUP BY r.order_id) rf
          ON rf.order_id = o.order_id
        WHERE o.shop_id = ${shopLiteral} AND ${condition}
        ORDER BY o.customer_id, o.order_id) TO STDOUT`),
    );
    const decoder = new TextDecoder();
    let rest = '';
    let part: CustomerPart = { range: { after: range.after, upTo: range.upTo }, customerIds: [], records: [] };
    let current = '';
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      const lines = (rest + decoder.decode(chunk, { stream: true })).split('\n');
      rest = lines.pop()!;
      for (const raw of lines) {
        const line = raw.includes('\\') ? copyUnescaped(raw) : raw;
        const start = line.indexOf(',') + 1;
        const id = line.slice(start, line.indexOf(',', start));
        if (id !== current) {
          if (part.customerIds.length === perPart) {
            part.range.upTo = current;
            yield finishedPart(part);
            part = { range: { after: current, upTo: range.upTo }, customerIds: [], records: [] };
          }
          current = id;
          part.customerIds.push(id);
        }
        part.records.push(toRecord(line));
      }
    }
    if (rest + decoder.decode() !== '') throw new Error(`the COPY of ${shop}'s orders ended inside a line`);
    await client.query('COMMIT');
    healthy = true;
    yield finishedPart(part);
  } finally {
    // A COPY left mid-stream (the caller stopped early, or it failed) leaves the connection in an unknown state.
    client.release(healthy ? undefined : true);
  }
}

/** {@link customerParts} on the embedded database: each part's customers cut by one index read, then read. */
async function* readParts(db: Kysely<DB>, shop: string, range: CustomerRange, perPart: number): AsyncGenerator<CustomerPart> {
  for (let after = range.after; ;) {
    const { rows } = await sql<{ id: string }>`
      SELECT customer_id::text AS id FROM orders WHERE shop_id = ${shop} AND customer_id > ${after}::bigint AND customer_id <= ${range.upTo}::bigint
      GROUP BY customer_id ORDER BY customer_id LIMIT ${perPart + 1}`.execute(db);
    const last = rows.length <= perPart;
    const ids = rows.slice(0, perPart).map((r) => r.id);
    const partRange = { after, upTo: last ? range.upTo : ids[ids.length - 1]! };
    yield { range: partRange, customerIds: ids, records: await loadOrderRecords(db, shop, { customerRange: partRange }) };
    if (last) return;
    after = partRange.upTo;
  }
}

/** A streamed part with its records in order id order, as the part-at-a-time read has them. */
function finishedPart(part: CustomerPart): CustomerPart {
  part.records.sort((a, b) => a.orderId.length - b.orderId.length || (a.orderId < b.orderId ? -1 : a.orderId > b.orderId ? 1 : 0));
  return part;
}

const COPY_ESCAPES: Record<string, string> = { b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v' };

/** A line of COPY's text output with its backslash escapes undone (COPY escapes backslashes and control characters). */
function copyUnescaped(line: string): string {
  return line.replace(/\\(.)/g, (_, c: string) => COPY_ESCAPES[c] ?? c);
}

/**
 * A line of {@link ORDER_LINE}'s ten fields as a record. Its refunds are an eleventh field `ms:amount;ms:amount` when
 * the line has one ({@link loadSomeOrderRecords}), else those of `byOrder` (a whole shop's, read apart).
 */
function toRecord(line: string, byOrder?: Map<string, Refund[]>): OrderRecord {
  const [orderId, customerId, guestKey, placedMs, currency, total, refunded, cancelled, test, subscription, refundList] = line.split(',') as [
    string,
    string,
    string,
    string,
    string,
    string,
    string,
    string,
    string,
    string,
    string | undefined,
  ];
  const record: OrderRecord = {
    orderId,
    customerId: customerId === '' ? null : customerId,
    email: customerId === '' ? guestKey || null : null,
    placedAtMs: Number(placedMs),
    currency,
    totalMinor: Number(total),
    refundedMinor: Number(refunded),
    cancelled: cancelled === '1',
    test: test === '1',
    subscription: subscription === '1',
  };
  const refunds =
    refundList === undefined
      ? byOrder?.get(orderId)
      : refundList.split(';').map((pair) => {
          const colon = pair.indexOf(':');
          return { refundedAtMs: Number(pair.slice(0, colon)), amountMinor: Number(pair.slice(colon + 1)) };
        });
  if (refunds) record.refunds = refunds;
  return record;
}
