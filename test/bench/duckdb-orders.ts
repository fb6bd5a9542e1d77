// The peer of `clvlens report` in the cli-report bench: DuckDB (2 threads) reads a Shopify orders export and counts
// orders, counted orders and customers by the README's rules (test, cancelled, voided and fully refunded orders out;
// free orders in; customers by lower-cased email), printing them as JSON. Run as its own process, so it is timed as a user would run it.
// Run: `node test/bench/duckdb-orders.ts orders_export.csv`.
import { DuckDBInstance } from '@duckdb/node-api';

const file = process.argv[2];
if (file === undefined) throw new Error('usage: duckdb-orders.ts <orders_export.csv>');
const instance = await DuckDBInstance.create(':memory:', { threads: '2' });
const connection = await instance.connect();
// Order-level columns are on each order's first row (the one with Total); line-item rows repeat Name only.
const reader = await connection.runAndReadAll(
  `
  with rows as (select * from read_csv($file, header = true, all_varchar = true)),
  orders as (
    select "Name",
      first(lower(trim("Email"))) filter (where "Email" is not null) as email,
      first(lower("Financial Status")) filter (where "Total" is not null) as status,
      first("Cancelled at") filter (where "Total" is not null) as cancelled_at,
      first(cast("Total" as decimal(18, 2))) filter (where "Total" is not null) as total,
      first(cast("Refunded Amount" as decimal(18, 2))) filter (where "Total" is not null) as refunded,
      first(lower(coalesce("Payment Method", ''))) filter (where "Total" is not null) as payment
    from rows group by "Name"),
  kept as (
    select email, coalesce(refunded, case when status = 'refunded' then total else 0 end) as refunds, total
    from orders where cancelled_at is null and status <> 'voided' and payment not like '%bogus%'),
  -- A free order counts; an order refunded in full (refunds > 0 reaching the total) does not.
  counted as (select email from kept where not (refunds > 0 and total - refunds <= 0))
  select (select count(*) from orders) as orders, count(*) as counted, count(distinct email) as customers
  from counted`,
  { file },
);
const [row] = reader.getRowObjectsJson();
console.log(JSON.stringify({ orders: Number(row?.orders), counted: Number(row?.counted), customers: Number(row?.customers) }));
