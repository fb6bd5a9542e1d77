// Issue 4 proof for the CLI: a generated shop's Shopify orders export, read by `clvlens report --json`, gives the
// same metrics as core computed from the generator's truth (its OrderRecords, with customer ids and refund dates).
import { createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '@clvlens/cli';
import { computeShopReport, endOfLocalDateMs } from '@clvlens/core';
import { afterAll, describe, expect, it } from 'vitest';
import { generateShop } from '../generator/generate.ts';
import { writeShopifyOrdersExport } from '../generator/shopify-export.ts';
import { toOrderRecords, writeTransactionLog } from '../generator/truth.ts';

const dir = mkdtempSync(join(tmpdir(), 'clvlens-cli-cross-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const shop = generateShop({ seed: 'cli-cross-check', customers: 400, endMs: Date.UTC(2026, 10, 1) });
const timeZone = shop.shop.ianaTimezone;
const asOf = '2026-10-31';

async function writeWith(name: string, write: (out: NodeJS.WritableStream) => Promise<unknown>): Promise<string> {
  const path = join(dir, name);
  const out = createWriteStream(path);
  await write(out);
  await new Promise<void>((resolve, reject) => out.end((error?: Error | null) => (error ? reject(error) : resolve())));
  return path;
}

async function reportJson(path: string, extra: string[] = []): Promise<Record<string, unknown>> {
  let out = '';
  let err = '';
  const code = await runCli(['report', path, '--json', '--timezone', timeZone, '--as-of', asOf, '--margin', '0.4', ...extra], {
    stdout: { write: (text: string) => (out += text) },
    stderr: { write: (text: string) => (err += text) },
    stderrIsTTY: false,
    cwd: dir,
  });
  expect(err).toBe('');
  expect(code).toBe(0);
  return JSON.parse(out) as Record<string, unknown>;
}

/**
 * Deep equality where integers (counts, minor units, ms) must match exactly and other numbers to 1e-9 relative:
 * customers are keyed by e-mail in the export and by id in the truth, so float sums run in another order.
 */
function expectSameMetrics(actual: unknown, expected: unknown, path = 'report'): void {
  if (typeof expected === 'number' && typeof actual === 'number' && !(Number.isInteger(expected) && Number.isInteger(actual))) {
    expect(Math.abs(actual - expected), path).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(expected)));
    return;
  }
  if (expected !== null && typeof expected === 'object' && actual !== null && typeof actual === 'object') {
    expect(Object.keys(actual).sort(), path).toEqual(Object.keys(expected).sort());
    for (const key of Object.keys(expected)) {
      expectSameMetrics((actual as Record<string, unknown>)[key], (expected as Record<string, unknown>)[key], `${path}.${key}`);
    }
    return;
  }
  expect(actual, path).toEqual(expected);
}

describe('clvlens report on a generated shop', () => {
  it('reads the Shopify export to the same metrics core computes from the generator truth', async () => {
    const path = await writeWith('orders_export.csv', (out) => writeShopifyOrdersExport(shop, out));
    const { input, ...doc } = await reportJson(path);
    const truth = computeShopReport(toOrderRecords(shop), { asOfMs: endOfLocalDateMs(asOf, timeZone), timeZone, marginFraction: 0.4 });
    expectSameMetrics(doc, JSON.parse(JSON.stringify(truth)));
    expect(input).toMatchObject({ format: 'shopify-orders-export', ordersRead: shop.orders.length, skippedByReason: {} });
    // The generated shop exercises every order flag the reader maps.
    const counts = truth.orders.skippedByReason;
    expect(counts.test).toBeGreaterThan(0);
    expect(counts.cancelled).toBeGreaterThan(0);
    expect(truth.customers).toBeGreaterThan(300);
  });

  it('reads the transaction log to the same customer metrics (it lists counted orders, net of refunds)', async () => {
    const path = await writeWith('transactions.csv', (out) => writeTransactionLog(shop, out));
    const doc = await reportJson(path, ['--currency', shop.shop.currencyCode]);
    const truth = computeShopReport(toOrderRecords(shop), { asOfMs: endOfLocalDateMs(asOf, timeZone), timeZone, marginFraction: 0.4 });
    for (const key of [
      'customers',
      'repeatPurchaseRate',
      'returningCustomerRate',
      'averageOrderValueMinor',
      'churn',
      'historicClv',
      'cohortMatrix',
      'timeBetweenOrders',
    ] as const) {
      expectSameMetrics(doc[key], JSON.parse(JSON.stringify(truth[key])), key);
    }
    expect((doc['orders'] as { counted: number }).counted).toBe(truth.orders.counted);
  });
});
